# Included by ctest (TEST_INCLUDE_FILES): lists the cases of the integration binary, each as a ctest
# entry "integration.<Suite>.<Case>" that reports the case's result from the one run of the binary
# (the entry "integration", which every case requires as its fixture). Expects BINARY, RESULTS,
# CASE_SCRIPT and CMAKE_COMMAND.
if(NOT EXISTS "${BINARY}")
  return()  # not built yet: ctest then lists only "integration", which fails on the missing binary
endif()
execute_process(COMMAND "${BINARY}" --gtest_list_tests OUTPUT_VARIABLE listing RESULT_VARIABLE listed
                TIMEOUT 60)
if(NOT listed EQUAL 0)
  add_test(integration.listing "${BINARY}" --gtest_list_tests)  # fails, and says why
  return()
endif()
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(suite "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "  #.*$" "" line "${line}")  # "  # GetParam() = ..." of parameterized cases
  if(line MATCHES "^([^ ].*)\\.$")
    set(suite "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^  +([^ ]+)$")
    set(name "${suite}.${CMAKE_MATCH_1}")
    add_test("integration.${name}" "${CMAKE_COMMAND}" "-DRESULTS=${RESULTS}" "-DCASE=${name}" -P "${CASE_SCRIPT}")
    set_tests_properties("integration.${name}" PROPERTIES FIXTURES_REQUIRED integration_run
                         SKIP_REGULAR_EXPRESSION "^skipped:")
  endif()
endforeach()
