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

# hace_add_test(NAME SOURCES ... DEPS ... [LABELS ...] [SHARDS N])
# One CTest test per binary: every binary that links LibTorch pays ~0.7 s of start-up per process
# (~2.3 s under ASan, leak check included), which one process per case multiplied by ~700 cases.
# SHARDS N splits a long binary into N CTest tests with GoogleTest's own sharding
# (GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX) so that `ctest -j` still balances the cores; those
# start first (COST). One case: `ctest -R NAME` or `NAME --gtest_filter=Suite.Case`.
function(hace_add_test name)
    cmake_parse_arguments(ARG "" "SHARDS" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} hace_test_support GTest::gtest_main)
    hace_warnings(${name})
    set(env "HACE_SHARED_DATA=${HACE_SHARED_DATA}" "HACE_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
            "HACE_BINARY_DIR=${PROJECT_BINARY_DIR}" "OMP_NUM_THREADS=1")
    if(NOT ARG_SHARDS OR ARG_SHARDS LESS_EQUAL 1)
        add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "${env}")
        return()
    endif()
    math(EXPR last "${ARG_SHARDS} - 1")
    foreach(i RANGE ${last})
        math(EXPR shown "${i} + 1")
        set(test "${name}/shard${shown}of${ARG_SHARDS}")
        add_test(NAME ${test} COMMAND ${name} --gtest_brief=1)
        set_tests_properties(${test} PROPERTIES LABELS "${ARG_LABELS}" COST 1000 ENVIRONMENT
            "${env};GTEST_TOTAL_SHARDS=${ARG_SHARDS};GTEST_SHARD_INDEX=${i}")
    endforeach()
endfunction()
