# Fails when the dlopen'd module would use dynamic TLS (a __tls_get_addr call or a DTPMOD
# relocation). Dynamic TLS in the plugin made LeakSanitizer's exit-time scan crash in every host
# under ASan (GCC 12 libsanitizer, glibc 2.36): thread_locals in the plugin take the initial-exec
# model, which glibc serves from the static TLS surplus it keeps for dlopen'd modules.
execute_process(COMMAND readelf -W --relocs --dyn-syms ${MODULE} OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf failed on ${MODULE}")
endif()
string(REGEX MATCHALL "[^\n]*(__tls_get_addr|DTPMOD64)[^\n]*" dynamic_tls "${dump}")
if(dynamic_tls)
  message(FATAL_ERROR "${MODULE} uses dynamic TLS; give its thread_locals "
                      "[[gnu::tls_model(\"initial-exec\")]]:\n${dynamic_tls}")
endif()
message(STATUS "no dynamic TLS in ${MODULE}")
