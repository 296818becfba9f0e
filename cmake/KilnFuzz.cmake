# Fuzz targets (libFuzzer's entry point, LLVMFuzzerTestOneInput) beside the code they fuzz.
#
# kiln_add_fuzz_target(NAME SOURCES... LIBS lib... CORPUS dir...) gives, in every build, a
# replay program NAME_replay and a CTest test `fuzz-replay:NAME` that feeds it every file of the
# CORPUS folders (the seed corpus and the crashing inputs kept as regressions), so a fixed crash
# stays fixed in the release and sanitizer builds too. With KILN_FUZZ=ON (the `fuzz` preset:
# clang, ASan + UBSan, coverage for libFuzzer) it also builds the fuzzer NAME; ci/fuzz.sh runs it.
option(KILN_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
if(KILN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KILN_FUZZ needs clang (the `fuzz` preset sets it)")
  endif()
  # Everything is instrumented for coverage; only the fuzzers link libFuzzer's main.
  target_compile_options(kiln_options INTERFACE -fsanitize=fuzzer-no-link)
  add_custom_target(kiln_fuzzers)
endif()

add_library(kiln_fuzz_replay_main STATIC ${CMAKE_CURRENT_LIST_DIR}/fuzz_replay_main.cc)

function(kiln_add_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;CORPUS" ${ARGN})
  set(sources ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
  set(corpus)
  foreach(dir IN LISTS ARG_CORPUS)
    get_filename_component(abs ${dir} ABSOLUTE)
    list(APPEND corpus ${abs})
  endforeach()
  add_executable(${name}_replay ${sources})
  target_link_libraries(${name}_replay PRIVATE kiln_fuzz_replay_main kiln_options ${ARG_LIBS})
  add_test(NAME fuzz-replay:${name} COMMAND ${name}_replay ${corpus})
  set_tests_properties(fuzz-replay:${name} PROPERTIES TIMEOUT 300)
  if(NOT KILN_FUZZ)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE kiln_options ${ARG_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(kiln_fuzzers ${name})
  # ci/fuzz.sh reads which corpus folders seed which fuzzer from these files.
  list(JOIN corpus " " corpus_line)
  file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/fuzzers/${name}.txt
       CONTENT "$<TARGET_FILE:${name}> ${corpus_line}\n")
endfunction()
