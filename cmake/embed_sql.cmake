# Compiles every .sql file of a folder into a generated header, so that the SQL stays runnable in
# psql and still ships inside the binary. Each file becomes `inline constexpr std::string_view
# k_<stem>` in namespace understudy::sql.
function(understudy_embed_sql target sql_dir header_stem)
  file(GLOB sql_files CONFIGURE_DEPENDS ${sql_dir}/*.sql)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/generated/${target})
  set(out ${out_dir}/understudy/sql/${header_stem}.hpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSQL_DIR=${sql_dir} -P ${PROJECT_SOURCE_DIR}/cmake/embed_sql_run.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/embed_sql_run.cmake
    COMMENT "Embedding SQL from ${sql_dir}")
  add_custom_target(${target}_sql DEPENDS ${out})
  add_dependencies(${target} ${target}_sql)
  target_include_directories(${target} PUBLIC ${out_dir})
endfunction()
