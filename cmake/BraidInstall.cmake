# `cmake --install BUILD --prefix P`: headers, libraries, programs, shipped
# configs, and the CMake package (find_package(Braid) -> braid::framework,
# braid::testing, braid::protocols, braid_add_plugin()).
# Two install components, which are the two Debian packages
# (packaging/CMakeLists.txt): runtime (braidd, braid-client, libbraid.so.X.Y,
# the configs; the default component, so braidd's own rule lands there) and dev
# (headers, the libbraid.so link, libbraid_testing, the static protocols, the
# CMake package).
include(CMakePackageConfigHelpers)

set(BRAID_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Braid)

install(TARGETS braid_framework EXPORT BraidTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS braid_testing braid_protocols EXPORT BraidTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/framework/include/braid DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT dev FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/protocols/include/braid DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT dev FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${CMAKE_INSTALL_DATADIR}/braid
  COMPONENT runtime FILES_MATCHING PATTERN "*.json")

# braidd's own install rule lives in services/CMakeLists.txt.
if(TARGET braid-client)
  install(TARGETS braid-client RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
endif()

install(EXPORT BraidTargets NAMESPACE braid:: FILE BraidTargets.cmake DESTINATION ${BRAID_CMAKE_DIR}
  COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/BraidConfig.cmake.in
  ${PROJECT_BINARY_DIR}/BraidConfig.cmake
  INSTALL_DESTINATION ${BRAID_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_DATADIR)
# 0.x: a plugin must be built against the same minor version it is loaded by.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/BraidConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/BraidConfig.cmake
  ${PROJECT_BINARY_DIR}/BraidConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/BraidPlugin.cmake
  DESTINATION ${BRAID_CMAKE_DIR} COMPONENT dev)
