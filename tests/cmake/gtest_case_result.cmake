# One ctest entry per GoogleTest case: reports the result run_gtest_once.cmake left for CASE in
# RESULTS, failing with the case's failure messages. Expects RESULTS and CASE ("<Suite>.<Case>").
string(MD5 key "${CASE}")
if(NOT EXISTS "${RESULTS}/${key}.txt")
  message(FATAL_ERROR "${CASE}: no result: the run stopped before this case (see the output of ctest entry \"integration\")")
endif()
file(READ "${RESULTS}/${key}.txt" text)
if(text MATCHES "^passed")
  return()
elseif(text MATCHES "^skipped")
  message("${text}")
else()
  message(FATAL_ERROR "${CASE} ${text}")
endif()
