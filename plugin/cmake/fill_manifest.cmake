# cmake -DLIBRARY=... -DTEMPLATE=... -DOUTPUT=... -DPLUGIN_VERSION=... -P fill_manifest.cmake
# Writes the plugin manifest with the SHA-256 of the library as built, so a host can verify the
# library before loading it.
foreach(var LIBRARY TEMPLATE OUTPUT PLUGIN_VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "fill_manifest.cmake needs -D${var}=...")
  endif()
endforeach()
file(SHA256 "${LIBRARY}" LIBRARY_SHA256)
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
