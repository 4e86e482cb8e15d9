# braid_add_plugin(<target> <source>...)
# A Braid plugin: a MODULE library (no "lib" prefix: <target>.so) linked to
# braid::framework, whose sources use BRAID_PLUGIN(name, register_fn). List the
# file in a braidd config's "plugins".
function(braid_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE braid::framework)
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
endfunction()
