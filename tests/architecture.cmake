# Checks that the includes of every source file follow the dependency arrows of
# docs/architecture.md, that a library's internal headers (<lib>/internal/) are
# included only by that library and its own tests, and that Boost.Asio is
# reached only from transport/. Run by ctest as
#   cmake -DSOURCE_DIR=<repository> -P tests/architecture.cmake
# and prints every offending include as file:line (MIN_FILES, default 100, is
# how many files must have been read for the check to count).

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "architecture.cmake: pass -DSOURCE_DIR=<repository>")
endif()

# What each folder may include, besides itself (the arrows of DESIGN.md).
set(allowed_base "")
set(allowed_zone base)
set(allowed_proto base)
set(allowed_transport proto base)
set(allowed_signer zone proto base)
set(allowed_tools signer transport zone proto base)
set(libraries base zone proto transport signer tools)

set(offences "")
set(files_read 0)

# Records one offence, as file:line: what.
macro(offend file line what)
  file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
  string(APPEND offences "  ${rel}:${line}: ${what}\n")
endmacro()

# Checks the includes of one file that belongs to folder `owner` (its sources
# and its tests alike).
function(check_file file owner)
  file(STRINGS "${file}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
      set(path "${CMAKE_MATCH_1}")
      if(path MATCHES "^boost/asio" AND NOT owner STREQUAL "transport")
        offend("${file}" ${number} "includes ${path}: only transport/ uses Boost.Asio")
      endif()
      if(path MATCHES "^([a-z_]+)/(.*)$")
        set(target "${CMAKE_MATCH_1}")
        set(rest "${CMAKE_MATCH_2}")
        list(FIND libraries "${target}" is_library)
        if(is_library GREATER -1 AND NOT target STREQUAL owner)
          if(owner STREQUAL "bench" OR owner STREQUAL "fuzz")
            # Benchmarks and fuzz targets may use any library, but only its public headers.
          else()
            list(FIND allowed_${owner} "${target}" ok)
            if(ok EQUAL -1)
              offend("${file}" ${number} "${owner}/ includes ${path}: ${owner} does not depend on ${target}")
            endif()
          endif()
          if(rest MATCHES "^internal/")
            offend("${file}" ${number} "includes ${path}: internal to ${target}/")
          endif()
        endif()
      endif()
    endif()
  endforeach()
  set(offences "${offences}" PARENT_SCOPE)
endfunction()

foreach(owner IN LISTS libraries ITEMS bench fuzz)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${owner}/*.cpp" "${SOURCE_DIR}/${owner}/*.hpp")
  if(owner STREQUAL "fuzz")
    file(GLOB_RECURSE sources "${SOURCE_DIR}/tests/fuzz/*.cpp" "${SOURCE_DIR}/tests/fuzz/*.hpp")
  elseif(NOT owner STREQUAL "bench")
    file(GLOB_RECURSE tests "${SOURCE_DIR}/tests/${owner}/*.cpp" "${SOURCE_DIR}/tests/${owner}/*.hpp")
    list(APPEND sources ${tests})
  endif()
  foreach(file IN LISTS sources)
    check_file("${file}" "${owner}")
    math(EXPR files_read "${files_read} + 1")
  endforeach()
endforeach()

if(NOT DEFINED MIN_FILES)
  set(MIN_FILES 100)
endif()
if(files_read LESS MIN_FILES)
  message(FATAL_ERROR "architecture.cmake: read only ${files_read} files under ${SOURCE_DIR}; is it the repository?")
endif()
if(offences)
  message(FATAL_ERROR "includes against docs/architecture.md:\n${offences}")
endif()
message(STATUS "architecture: ${files_read} files follow the dependency arrows")
