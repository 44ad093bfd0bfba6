# Debian package (CPack DEB): `hace` always, the licence, the two bundled models and the example
# sweep, and with HACE_BUILD_GUI the workbench with its desktop entry, icon and AppStream metadata. How to build and check it: packaging/README.md.
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

# The two bundled tiny models and the example sweep, so that a fresh install runs the quickstart
# from the workbench's File menu (app/gui/example_sweep.h). The layout under
# share/hace-workbench mirrors the data folder the needle task file names its tokenizer and
# haystack by (data/models/..., data/haystack/paul_graham), so its lookup finds them there.
include(GNUInstallDirs)
set(HACE_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/hace-workbench)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/hace-workbench
        RENAME copyright)
foreach(model stories260K needle-llama-1m)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models/${model}
            DESTINATION ${HACE_SHARE_DIR}/data/models)
endforeach()
# The needle task reads its held-out haystack files (five Paul Graham essays, 92 KB, MIT as
# shipped by gkamradt/LLMTest_NeedleInAHaystack) from the shared data folder beside the checkout.
set(HACE_SHARED_DATA "${PROJECT_SOURCE_DIR}/../shared/data" CACHE PATH
    "The shared data folder (haystack text of the packaged example sweep)")
set(HACE_EXAMPLE_HAYSTACK before.txt gba.txt love.txt submarine.txt vw.txt)
set(hace_haystack_files "")
foreach(f ${HACE_EXAMPLE_HAYSTACK})
    if(EXISTS ${HACE_SHARED_DATA}/haystack/paul_graham/${f})
        list(APPEND hace_haystack_files ${HACE_SHARED_DATA}/haystack/paul_graham/${f})
    endif()
endforeach()
list(LENGTH hace_haystack_files hace_haystack_count)
list(LENGTH HACE_EXAMPLE_HAYSTACK hace_haystack_wanted)
if(hace_haystack_count EQUAL hace_haystack_wanted)
    install(FILES ${hace_haystack_files} DESTINATION ${HACE_SHARE_DIR}/data/haystack/paul_graham)
    # resources/examples/quickstart.json with its paths moved from the checkout's layout
    # (models in ../models, data in ../../../shared/data) to the installed one.
    file(READ ${PROJECT_SOURCE_DIR}/resources/examples/quickstart.json hace_example)
    string(REPLACE "\"../models/" "\"../data/models/" hace_example "${hace_example}")
    string(REPLACE "\"../../../shared/data/" "\"../data/" hace_example "${hace_example}")
    string(REPLACE "the shared data folder beside the repository (../shared/data)"
                   "the data installed beside it (../data)" hace_example "${hace_example}")
    file(WRITE ${PROJECT_BINARY_DIR}/packaging/quickstart.json "${hace_example}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 ${PROJECT_SOURCE_DIR}/resources/examples/quickstart.json)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/quickstart.json
            DESTINATION ${HACE_SHARE_DIR}/examples)
else()
    message(WARNING "${HACE_SHARED_DATA}/haystack/paul_graham lacks the needle task's held-out "
                    "files: the package will hold the models but not the example sweep")
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
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/hace/workbench")
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
