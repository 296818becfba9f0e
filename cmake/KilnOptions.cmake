# Warnings and sanitizers live on INTERFACE targets that every kiln target links privately.
add_library(kiln_options INTERFACE)
target_compile_options(kiln_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O2 reports std::map members and Howard Hinnant's date::parse as "maybe
  # uninitialized" (false positives, GCC bugs 105562 and 107919); with -Werror they would break
  # the release build. ASan/UBSan and the debug build still catch real uninitialised reads.
  target_compile_options(kiln_options INTERFACE -Wno-maybe-uninitialized)
endif()
if(KILN_WARNINGS_AS_ERRORS)
  target_compile_options(kiln_options INTERFACE -Werror)
endif()
if(KILN_SANITIZE)
  target_compile_options(kiln_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang 14's -fsanitize=function emits prologue data that its assembler cannot place in a
    # coroutine's split parts ("Cannot represent a difference across sections").
    target_compile_options(kiln_options INTERFACE -fno-sanitize=function)
  endif()
  target_link_options(kiln_options INTERFACE -fsanitize=address,undefined)
endif()
