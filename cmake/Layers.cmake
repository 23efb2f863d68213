# One static library per folder of src/, each seeing only the headers of the folders it declares
# (and theirs): its include root is a folder of links, build/layers/<folder>/, to those folders of
# src/ alone. So an include that runs the wrong way does not compile ("No such file or
# directory"), and tests/layering checks that it does not.

# edgejoule_layer(NAME DEPS folder... SOURCES file...): library edgejoule_NAME from src/NAME,
# which may use the DEPS folders (declared before it) and everything they may use.
function(edgejoule_layer name)
  cmake_parse_arguments(L "" "" "DEPS;SOURCES" ${ARGN})
  add_library(edgejoule_${name} STATIC ${L_SOURCES})
  set(closure ${name})
  foreach(dep ${L_DEPS})
    get_property(dep_closure GLOBAL PROPERTY EDGEJOULE_LAYER_${dep})
    if(NOT dep_closure)
      message(FATAL_ERROR "layer '${name}' uses '${dep}', which is not a layer declared before it")
    endif()
    list(APPEND closure ${dep_closure})
    target_link_libraries(edgejoule_${name} PUBLIC edgejoule_${dep})
  endforeach()
  list(REMOVE_DUPLICATES closure)
  set_property(GLOBAL PROPERTY EDGEJOULE_LAYER_${name} ${closure})
  edgejoule_layer_includes(edgejoule_${name} ${name})
  target_compile_options(edgejoule_${name} PRIVATE -Wall -Wextra)
endfunction()

# Gives `target` the include root of layer `layer`: links to src/<folder> for each folder the
# layer may use.
function(edgejoule_layer_includes target layer)
  get_property(closure GLOBAL PROPERTY EDGEJOULE_LAYER_${layer})
  set(root ${CMAKE_BINARY_DIR}/layers/${layer})
  file(MAKE_DIRECTORY ${root})
  foreach(folder ${closure})
    if(NOT EXISTS ${root}/${folder})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${folder} ${root}/${folder} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${root})
endfunction()
