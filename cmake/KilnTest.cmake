# One Catch2 (v2) main shared by every test program.
add_library(kiln_catch_main STATIC ${CMAKE_CURRENT_LIST_DIR}/catch_main.cc)
target_link_libraries(kiln_catch_main PUBLIC Catch2::Catch2)

# kiln_add_test(NAME SOURCES... LIBS lib...): a test program beside the code it tests,
# each TEST_CASE discovered as its own CTest test.
function(kiln_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE kiln_catch_main kiln_options ${ARG_LIBS})
  catch_discover_tests(${name} TEST_PREFIX "${name}: ")
endfunction()
