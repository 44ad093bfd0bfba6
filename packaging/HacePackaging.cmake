# Debian package (CPack DEB): `hace` always, and with HACE_BUILD_GUI the workbench with its
# desktop entry, icon and AppStream metadata. How to build and check it: packaging/README.md.
set(HACE_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

if(HACE_BUILD_GUI)
    include(GNUInstallDirs)
    install(FILES ${HACE_PACKAGING_DIR}/io.github.hace.workbench.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${HACE_PACKAGING_DIR}/io.github.hace.workbench.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/hace-workbench.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
            RENAME io.github.hace.workbench.svg)
endif()

set(CPACK_PACKAGE_NAME "hace-workbench")
set(CPACK_PACKAGE_VENDOR "HACE Workbench developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "KV-cache compression research workbench (CLI and Qt GUI)")
set(CPACK_PACKAGE_DESCRIPTION
    "Runs sweeps of KV-cache compression methods over Hugging Face models, stores the results in\n\
SQLite and draws the figures of a paper: layer x head heatmaps, retention-performance curves\n\
with the performance cliff, needle-in-a-haystack maps. `hace` is the headless command line,\n\
`hace-workbench` the desktop application.")
set(CPACK_PACKAGE_CONTACT "HACE Workbench developers <hace@example.org>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "hace")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Dependencies come from the linked shared libraries (libtorch, Qt, SQLite, ...), plus what is
# loaded at run time: Qt's platform plugins (the window), a CJK font for the Chinese interface,
# OpenBLAS for LibTorch's speed (TOOLCHAIN.md: the reference BLAS is about 17x slower).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(HACE_BUILD_GUI)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-wqy-microhei | fonts-noto-cjk, libopenblas0-openmp")
else()
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
include(CPack)
