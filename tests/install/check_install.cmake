# Installs the build tree into a scratch prefix, then configures, builds and runs a tiny consumer
# project that finds the SDK with find_package(ehr_host_sdk) and loads the installed plugins.
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -P check_install.cmake
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} COMMAND_ERROR_IS_FATAL ANY
                OUTPUT_QUIET)
foreach(expected include/ehr/plugin.h include/ehr/host/plugin_manager.hpp lib/libehr_host_sdk.a
        lib/cmake/ehr_host_sdk/ehr_host_sdkConfig.cmake)
  file(GLOB found ${prefix}/${expected} ${prefix}/lib*/*/${expected} ${prefix}/lib64/libehr_host_sdk.a)
  if(NOT EXISTS ${prefix}/${expected} AND NOT found)
    message(FATAL_ERROR "the install tree lacks ${expected}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
                        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
                        "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}"
                COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2 COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
file(GLOB plugins_dir ${prefix}/lib*/ehr/plugins)
# The installed module is stripped, its debug info split into .debug/ and linked by name.
execute_process(COMMAND ${OBJDUMP} -h ${plugins_dir}/portal_messaging.so OUTPUT_VARIABLE sections
                COMMAND_ERROR_IS_FATAL ANY)
if(sections MATCHES "[.]debug_info" OR NOT sections MATCHES "[.]gnu_debuglink")
  message(FATAL_ERROR "the installed plugin should carry no .debug_info and a .gnu_debuglink:\n${sections}")
endif()
if(NOT EXISTS ${plugins_dir}/.debug/portal_messaging.so.debug)
  message(FATAL_ERROR "the plugin's split debug info was not installed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer ${plugins_dir} ${WORK_DIR}/data
                OUTPUT_VARIABLE listed COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "consumer listed:\n${listed}")
if(NOT listed MATCHES "portal-messaging enabled")
  message(FATAL_ERROR "the installed plugin did not load through the installed SDK:\n${listed}")
endif()
