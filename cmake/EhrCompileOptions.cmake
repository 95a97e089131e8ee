# Warnings as errors on our own code only (never on third-party headers, which come in as SYSTEM).
function(ehr_project_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O3 (the release preset) reports std::string concatenation inside libstdc++ as
  # overlapping memcpy, a known false -Wrestrict (GCC bug 105651, fixed in 13).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()

if(EHR_SANITIZE)
  list(JOIN EHR_SANITIZE "," _ehr_sanitizers)
  add_compile_options(-fsanitize=${_ehr_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_ehr_sanitizers})
endif()
