# crmsync_add_plugin(TARGET SOURCES...): builds a crmsync plugin shared library against an installed SDK.
# Only the entry point is exported; everything else stays hidden so plugins cannot clash with each other.
function(crmsync_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${target} PRIVATE crmsync::sdk)
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()
