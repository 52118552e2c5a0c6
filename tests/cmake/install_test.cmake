# ctest entry "install": `cmake --install` into a temp prefix puts bin/understudy there and it runs
# `--version`, with the JSON Schema and example rule sets in share/understudy; `cpack` builds a .deb
# of the same files whose dependencies name libpq5 and (with UNDERSTUDY_STATIC_DEPS, the default)
# none of the libraries linked statically.
# Run as: cmake -DBUILD_DIR=... -DWORK=... -DVERSION=... -DCPACK=... -DSTATIC_DEPS=ON|OFF -P install_test.cmake
set(shared_files share/understudy/understudy.schema.json share/understudy/rules-reference.md
                 share/understudy/examples/rails_users.yml share/understudy/examples/saas_demo.yml
                 share/understudy/examples/heroku/app.json)

function(run_checked)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${out}${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

# `understudy --version` of an installed tree under ROOT, and its shared files.
function(check_installed root what)
  if(NOT EXISTS "${root}/bin/understudy")
    message(FATAL_ERROR "${what}: no bin/understudy under ${root}")
  endif()
  run_checked("${root}/bin/understudy" --version)
  if(NOT output STREQUAL "understudy ${VERSION}\n")
    message(FATAL_ERROR "${what}: understudy --version printed \"${output}\", expected \"understudy ${VERSION}\"")
  endif()
  foreach(shared ${shared_files})
    if(NOT EXISTS "${root}/${shared}")
      message(FATAL_ERROR "${what}: no ${shared} under ${root}")
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE "${WORK}")
run_checked(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK}/prefix")
check_installed("${WORK}/prefix" "cmake --install")

run_checked(${CPACK} --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK}/package")
file(GLOB debs "${WORK}/package/*.deb")
list(LENGTH debs deb_count)
if(NOT deb_count EQUAL 1)
  message(FATAL_ERROR "cpack wrote ${deb_count} .deb files: ${debs}")
endif()
run_checked(dpkg-deb -f "${debs}" Depends)
set(depends "${output}")
if(NOT depends MATCHES "libpq5")
  message(FATAL_ERROR "the .deb does not depend on libpq5: ${depends}")
endif()
foreach(static_library libpqxx libyaml-cpp libxxhash libstdc)
  if(STATIC_DEPS AND depends MATCHES "${static_library}")
    message(FATAL_ERROR "the .deb depends on ${static_library}, which is linked statically: ${depends}")
  endif()
endforeach()
run_checked(dpkg-deb -x "${debs}" "${WORK}/unpacked")
check_installed("${WORK}/unpacked/usr" "the .deb")
message(STATUS "installed and packaged: ${debs}, Depends: ${depends}")
file(REMOVE_RECURSE "${WORK}")
