# Helper functions so that one module or one test is one CMake call.

# hace_warnings(target): the project's warning set; -Werror only when HACE_FATAL_WARNINGS.
function(hace_warnings target)
    target_compile_options(${target} PRIVATE
        $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-unused-parameter>)
    if(HACE_FATAL_WARNINGS)
        target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
    endif()
endfunction()

# hace_add_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
function(hace_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    hace_warnings(${name})
endfunction()

# hace_add_test(NAME SOURCES ... DEPS ... [LABELS ...] [ONE_PROCESS])
# ONE_PROCESS registers the whole binary as one CTest test: torch-linked binaries pay ~0.45 s of
# start-up per process, so many tiny cases are cheaper in one process.
function(hace_add_test name)
    cmake_parse_arguments(ARG "ONE_PROCESS" "" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} hace_test_support GTest::gtest_main)
    hace_warnings(${name})
    set(env "HACE_SHARED_DATA=${HACE_SHARED_DATA}" "HACE_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
            "HACE_BINARY_DIR=${PROJECT_BINARY_DIR}" "OMP_NUM_THREADS=1")
    if(ARG_ONE_PROCESS)
        add_test(NAME ${name} COMMAND ${name})
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "${env}")
    else()
        # CMake 3.25's gtest_discover_tests writes PROPERTIES as one flat argument list, so a
        # property can carry one value only: the first label, and one environment entry (the data
        # paths are compiled into hace_test_support as defaults, so they need no environment).
        list(GET ARG_LABELS 0 first_label)
        gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
            PROPERTIES LABELS "${first_label}" ENVIRONMENT "OMP_NUM_THREADS=1")
    endif()
endfunction()
