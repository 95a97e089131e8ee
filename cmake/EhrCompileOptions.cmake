# Warnings as errors on our own code only (never on third-party headers, which come in as SYSTEM).
function(ehr_project_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()

if(EHR_SANITIZE)
  list(JOIN EHR_SANITIZE "," _ehr_sanitizers)
  add_compile_options(-fsanitize=${_ehr_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_ehr_sanitizers})
endif()
