# CMake package of an installed otelmetrics (installed by `cargo cinstall`
# through tools/install-c.sh as <prefix>/share/cmake/otelmetrics/):
#
#   find_package(otelmetrics CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE otelmetrics::otelmetrics)          # shared
#   target_link_libraries(app PRIVATE otelmetrics::otelmetrics_static)   # static
#
# cargo-c writes no CMake files (only pkg-config), so this file is ours. It is
# relocatable: it finds the prefix from its own place, and the system
# libraries a static link needs from the Libs.private line of the installed
# otelmetrics.pc, which cargo-c writes from rustc's --print native-static-libs
# (one source for both build systems).

get_filename_component(_otelmetrics_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_otelmetrics_libdirs "${_otelmetrics_prefix}/lib" "${_otelmetrics_prefix}/lib64")
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND _otelmetrics_libdirs "${_otelmetrics_prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()

find_library(OTELMETRICS_SHARED_LIBRARY NAMES libotelmetrics.so PATHS ${_otelmetrics_libdirs} NO_DEFAULT_PATH)
find_library(OTELMETRICS_STATIC_LIBRARY NAMES libotelmetrics.a PATHS ${_otelmetrics_libdirs} NO_DEFAULT_PATH)
set(_otelmetrics_includedir "${_otelmetrics_prefix}/include")

if(NOT OTELMETRICS_SHARED_LIBRARY OR NOT EXISTS "${_otelmetrics_includedir}/otelmetrics.h")
  set(otelmetrics_FOUND FALSE)
  set(otelmetrics_NOT_FOUND_MESSAGE
      "libotelmetrics.so or otelmetrics.h is missing under ${_otelmetrics_prefix} (lib, lib64 or lib/<arch>; include)")
  return()
endif()

if(NOT TARGET otelmetrics::otelmetrics)
  add_library(otelmetrics::otelmetrics SHARED IMPORTED)
  set_target_properties(otelmetrics::otelmetrics PROPERTIES
    IMPORTED_LOCATION "${OTELMETRICS_SHARED_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${_otelmetrics_includedir}")
endif()

if(OTELMETRICS_STATIC_LIBRARY AND NOT TARGET otelmetrics::otelmetrics_static)
  get_filename_component(_otelmetrics_libdir "${OTELMETRICS_STATIC_LIBRARY}" DIRECTORY)
  set(_otelmetrics_pc "${_otelmetrics_libdir}/pkgconfig/otelmetrics.pc")
  set(_otelmetrics_private "")
  if(EXISTS "${_otelmetrics_pc}")
    file(STRINGS "${_otelmetrics_pc}" _otelmetrics_line REGEX "^Libs.private:")
    string(REGEX REPLACE "^Libs.private:[ \t]*" "" _otelmetrics_line "${_otelmetrics_line}")
    separate_arguments(_otelmetrics_private UNIX_COMMAND "${_otelmetrics_line}")
  endif()
  add_library(otelmetrics::otelmetrics_static STATIC IMPORTED)
  set_target_properties(otelmetrics::otelmetrics_static PROPERTIES
    IMPORTED_LOCATION "${OTELMETRICS_STATIC_LIBRARY}"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "${_otelmetrics_includedir}"
    INTERFACE_LINK_LIBRARIES "${_otelmetrics_private}")
endif()

set(otelmetrics_FOUND TRUE)
