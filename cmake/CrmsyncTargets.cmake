# Warnings as errors on crmsync's own code only; third-party headers come in as system includes.
function(crmsync_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align
                                           -Wunused -Woverloaded-virtual)
  if(CRMSYNC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# crmsync_module(NAME [DEPS ...]): engine/src/NAME/*.cpp as static library crmsync_NAME.
function(crmsync_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)
    add_library(crmsync_${name} INTERFACE)
    target_include_directories(crmsync_${name} INTERFACE ${PROJECT_SOURCE_DIR}/engine/include)
    target_link_libraries(crmsync_${name} INTERFACE ${M_DEPS})
    return()
  endif()
  add_library(crmsync_${name} STATIC ${sources})
  set_target_properties(crmsync_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(crmsync_${name} PUBLIC ${PROJECT_SOURCE_DIR}/engine/include
                                             PRIVATE ${PROJECT_SOURCE_DIR}/engine/src)
  target_link_libraries(crmsync_${name} PUBLIC ${M_DEPS})
  crmsync_warnings(crmsync_${name})
endfunction()

# crmsync_plugin(NAME SOURCES...): a connector or plugin shared library in the build's plugins/ folder.
function(crmsync_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;DEPS" ${ARGN})
  add_library(crmsync_${name} MODULE ${P_SOURCES})
  set_target_properties(crmsync_${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CRMSYNC_PLUGIN_OUTPUT_DIR}
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON PREFIX "")
  target_link_libraries(crmsync_${name} PRIVATE crmsync::sdk ${P_DEPS})
  target_link_options(crmsync_${name} PRIVATE -Wl,--no-undefined)
  crmsync_warnings(crmsync_${name})
  install(TARGETS crmsync_${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/crmsync/plugins)
endfunction()

# crmsync_gtest(NAME SOURCES... LIBS... [PROPERTIES ...]): a GoogleTest executable registered with CTest.
include(GoogleTest)
function(crmsync_gtest name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;PROPERTIES" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/engine/src)
  target_compile_definitions(${name} PRIVATE CRMSYNC_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                             CRMSYNC_BINARY_DIR="${PROJECT_BINARY_DIR}"
                             CRMSYNC_PLUGIN_DIR="${CRMSYNC_PLUGIN_OUTPUT_DIR}")
  crmsync_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${T_PROPERTIES})
endfunction()

# Adds every immediate subdirectory of the current source dir that has a CMakeLists.txt, in name order.
function(crmsync_add_subdirectories)
  file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*/CMakeLists.txt)
  list(SORT children)
  foreach(child ${children})
    get_filename_component(dir ${child} DIRECTORY)
    add_subdirectory(${dir})
  endforeach()
endfunction()
