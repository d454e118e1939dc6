// A small population + legal-entity department in SQLite, its source files, and a policy that
// grants market-regulation some of its fields: the fixture for end-to-end lookup tests.
#pragma once

#include <string>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {

// market-regulation: population [id_number, name, gender] and legal_entity [uscc, name, status]
// for food-business-license.
extern const char* const kDepartmentPolicy;

// One resident 11010519491231002X (张三, female) and one company 91350100M000100Y43.
struct Departments {
  TempDir sources;
  TempDir data;
  Departments();
};

// The definition of source "psb": population from `db_path`, table person (sfzh, xm), hourly.
std::string person_source_yaml(const std::string& db_path);

// In `work`: psb.db holding one resident, 11010519491231002X (张三), and sources/psb.yaml pulling it.
void write_person_department(TempDir& work);

// GETs `target` until it stops answering 404 (the first pulls have stored the records).
HttpResult wait_for(std::uint16_t port, const TlsOptions& who, const std::string& target);

}  // namespace yici::test
