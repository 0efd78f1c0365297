# herald_module(<name>
#   SOURCES <files...>        library sources (headers listed here are the module's API)
#   DEPS <herald::x ...>      Herald modules this one may include (checked by scripts/check_layering.mjs)
#   PRIVATE_DEPS <targets>    third-party libraries kept behind the module's own headers
#   TESTS <files...>          GoogleTest sources, built into herald_<name>_test
#   PGTESTS <files...>        GoogleTest sources needing PostgreSQL, built into herald_<name>_pgtest
#   TEST_DEPS <targets>)      extra libraries for the test binaries
function(herald_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS;TESTS;PGTESTS;TEST_DEPS" ${ARGN})
  add_library(herald_${name} STATIC ${M_SOURCES})
  add_library(herald::${name} ALIAS herald_${name})
  target_include_directories(herald_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(herald_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  if(HERALD_BUILD_TESTS AND M_TESTS)
    add_executable(herald_${name}_test ${M_TESTS})
    target_link_libraries(herald_${name}_test PRIVATE herald_${name} ${M_TEST_DEPS} GTest::gtest GTest::gtest_main)
    add_test(NAME ${name} COMMAND herald_${name}_test)
    set_tests_properties(${name} PROPERTIES LABELS unit)
  endif()
  if(HERALD_BUILD_TESTS AND M_PGTESTS)
    add_executable(herald_${name}_pgtest ${M_PGTESTS})
    target_link_libraries(herald_${name}_pgtest PRIVATE herald_${name} ${M_TEST_DEPS} GTest::gtest GTest::gtest_main)
    add_test(NAME ${name}_pg COMMAND herald_${name}_pgtest)
    set_tests_properties(${name}_pg PROPERTIES LABELS pg)
  endif()
endfunction()
