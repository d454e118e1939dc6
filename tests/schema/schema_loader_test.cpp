#include "hub/schema/schema_loader.h"

#include <doctest/doctest.h>

#include "hub/schema/schema_set.h"
#include "tests/schema/schema_test_util.h"

namespace yici::schema {
namespace {

std::vector<std::string> problems_of(const std::string& yaml) {
  auto doc = YamlDoc::parse(yaml, "s.yaml");
  if (!doc) return {doc.error().message};
  return load_schema(*doc).problems;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

const char* kMinimal = R"(dataset: t
subject: id
fields:
  - {name: id, type: id_number, required: true}
)";

TEST_CASE("the four shipped schemas load without a problem") {
  const SchemaSet set = SchemaSet::load_dir(std::string(YICI_SOURCE_DIR) + "/schemas");
  for (const auto& p : set.problems) FAIL_CHECK(p);
  CHECK(set.by_dataset.size() == 4);
  for (const char* d : {"population", "legal_entity", "e_license", "credit"}) {
    CAPTURE(d);
    const auto s = set.find(d);
    REQUIRE(s != nullptr);
    CHECK(s->fields[s->subject].required);
  }
  const auto pop = set.find("population");
  CHECK(pop->fields[pop->subject].name == "id_number");
  const auto* ethnicity = pop->fields[*pop->field_index("ethnicity")].codes;
  REQUIRE(ethnicity != nullptr);
  CHECK(ethnicity->codes.size() == 58);  // the 56 groups, 其他 and 外国血统
}

TEST_CASE("a minimal schema loads and compiles") {
  auto s = test::schema_from_text(kMinimal);
  REQUIRE(s != nullptr);
  CHECK(s->dataset == "t");
  CHECK(s->fields.size() == 1);
}

TEST_CASE("schema problems are reported with file and line, all of them") {
  const auto p = problems_of(R"(dataset: t
subject: id
colour: blue
fields:
  - {name: id, type: id_number, required: true}
)");
  CHECK(mentions(p, "s.yaml:"));
  CHECK(mentions(p, "colour"));

  const auto many = problems_of(R"(dataset: t
subject: id
fields:
  - {name: id, type: id_number, required: true}
  - {name: gender, type: enum, codes: sex}
  - {name: id, type: string}
  - {name: born, type: datum}
  - {name: nick, type: string, max_length: many}
  - {name: code, type: string, pattern: "([0-9]"}
  - {name: note, type: string, transforms: [shout]}
  - {name: cap, type: string, money: true}
  - {name: when, type: date, colour: red}
rules:
  - {rule: date_order, earlier: born, later: nowhere}
  - {rule: teleport}
)");
  CHECK(mentions(many, "unknown code list \"sex\""));
  CHECK(mentions(many, "s.yaml:6: duplicate field id (first defined at line 4)"));
  CHECK(mentions(many, "unknown type \"datum\""));
  CHECK(mentions(many, "s.yaml:8:"));  // max_length is not a number
  CHECK(mentions(many, "does not compile"));
  CHECK(mentions(many, "unknown transform \"shout\""));
  CHECK(mentions(many, "money applies to decimal fields only"));
  CHECK(mentions(many, "colour"));
  CHECK(mentions(many, "later \"nowhere\" is not a field"));
  CHECK(mentions(many, "unknown rule \"teleport\""));
  CHECK(many.size() >= 10);
}

TEST_CASE("bounds no value can meet, and lengths on types they do not apply to, are problems") {
  const auto p = problems_of(R"(dataset: t
subject: id
fields:
  - {name: id, type: id_number, required: true}
  - {name: n, type: integer, min: "10", max: "1"}
  - {name: s, type: string, min_length: 10, max_length: 2}
  - {name: d, type: date, max_length: 5}
  - {name: x, type: decimal, min_length: 1}
  - {name: ok, type: decimal, min: "-1.5", max: "2"}
  - {name: same, type: string, min_length: 3, max_length: 3}
)");
  CHECK(mentions(p, "s.yaml:5:"));
  CHECK(mentions(p, "min 10 is more than max 1: no value fits"));
  CHECK(mentions(p, "s.yaml:6:"));
  CHECK(mentions(p, "min_length 10 is more than max_length 2: no value fits"));
  CHECK(mentions(p, "s.yaml:7:"));
  CHECK(mentions(p, "max_length applies to string or enum fields only"));
  CHECK(mentions(p, "min_length applies to string fields only"));
  CHECK(p.size() == 4);
}

TEST_CASE("a field refused for its own problem is not reported again where it is named, a code listed twice is named") {
  const auto p = problems_of(R"(dataset: t
subject: id
status_field: state
fields:
  - name: id
    type: id_number
    required: true
    required: false
  - {name: state, type: enum, codes: states, colour: red}
  - {name: born, type: date}
rules:
  - {rule: date_order, earlier: born, later: id}
code_lists:
  states:
    A: [在营]
    B: [注销]
    A: [x]
)");
  CHECK(mentions(p, "s.yaml:8: duplicate key \"required\" in field"));
  CHECK(mentions(p, "colour"));
  CHECK(mentions(p, "s.yaml:17: code list states: code \"A\" is listed twice"));
  // Not: subject "id" / status_field "state" / later "id" is not a field; "A" would mean both A and A.
  CHECK_FALSE(mentions(p, "is not a field"));
  CHECK_FALSE(mentions(p, "would mean both"));
  CHECK(p.size() == 3);
}

TEST_CASE("subject and status field are checked") {
  CHECK(mentions(problems_of("dataset: t\nsubject: nope\nfields:\n  - {name: id, type: uscc, required: true}\n"),
                 "subject \"nope\" is not a field"));
  CHECK(mentions(problems_of("dataset: t\nsubject: id\nfields:\n  - {name: id, type: uscc}\n"), "must be required"));
  CHECK(mentions(problems_of("dataset: t\nsubject: id\nstatus_field: id\nfields:\n  - {name: id, type: uscc, "
                             "required: true}\n"),
                 "must be an enum field"));
  CHECK(mentions(problems_of("dataset: Bad-Name\nsubject: id\nfields:\n  - {name: id, type: uscc, required: true}\n"),
                 "must match"));
  CHECK(mentions(problems_of("dataset: t\nsubject: id\nfields: []\n"), "non-empty list"));
}

TEST_CASE("status_from_rejected_rows needs a status field and names its codes") {
  const std::string fields =
      "fields:\n  - {name: id, type: uscc, required: true}\n  - {name: s, type: enum, codes: st}\n"
      "code_lists:\n  st:\n    valid: [有效]\n    revoked: [吊销]\n";
  const auto ok = test::schema_from_text(
      "dataset: t\nsubject: id\nstatus_field: s\n"
      "status_from_rejected_rows: [revoked]\n" +
      fields);
  REQUIRE(ok != nullptr);
  CHECK(ok->status_from_rejected_rows.count("revoked") == 1);
  CHECK(ok->status_from_rejected_rows.size() == 1);
  CHECK(mentions(problems_of("dataset: t\nsubject: id\nstatus_from_rejected_rows: [revoked]\n" + fields),
                 "status_from_rejected_rows needs a status_field"));
  const auto p =
      problems_of("dataset: t\nsubject: id\nstatus_field: s\nstatus_from_rejected_rows: [revoked, 吊销]\n" + fields);
  CHECK(mentions(p, "s.yaml:4: status_from_rejected_rows: \"吊销\" is not a code of list st"));
  CHECK(p.size() == 1);
  CHECK(mentions(problems_of("dataset: t\nsubject: id\nstatus_field: s\nstatus_from_rejected_rows: revoked\n" + fields),
                 "status_from_rejected_rows"));
}

TEST_CASE("code lists: a synonym may not mean two codes, rules must name real codes") {
  CHECK(mentions(problems_of(R"(dataset: t
subject: id
fields:
  - {name: id, type: uscc, required: true}
  - {name: s, type: enum, codes: st}
code_lists:
  st:
    a: [正常, ok]
    b: [OK]
)"),
                 "would mean both a and b"));
  CHECK(mentions(problems_of(R"(dataset: t
subject: id
fields:
  - {name: id, type: uscc, required: true}
  - {name: s, type: enum, codes: st}
  - {name: end, type: date}
rules:
  - {rule: expire, status: s, date: end, set: gone}
code_lists:
  st: {a: [x]}
)"),
                 "\"gone\" is not a code of list st"));
}

TEST_CASE("a date tied to a sensitive ID by id_birth_date must be sensitive too") {
  const std::string head = R"(dataset: t
subject: id
fields:
  - {name: id, type: id_number, required: true, sensitive: true}
)";
  const std::string rule = "rules:\n  - {rule: id_birth_date, id: id, field: born}\n";
  const auto plain = problems_of(head + "  - {name: born, type: date}\n" + rule);
  REQUIRE(plain.size() == 1);
  CHECK(mentions(plain, "born holds digits 7–14 of the sensitive id; mark it sensitive: true too"));
  CHECK(problems_of(head + "  - {name: born, type: date, sensitive: true}\n" + rule).empty());
  // An ID shown in clear hides nothing that the date could give back.
  CHECK(problems_of("dataset: t\nsubject: id\nfields:\n  - {name: id, type: id_number, required: true}\n"
                    "  - {name: born, type: date}\n" +
                    rule)
            .empty());
}

TEST_CASE("YAML that is not a schema at all is refused, not a crash") {
  CHECK_FALSE(problems_of("- just\n- a list\n").empty());
  CHECK_FALSE(problems_of("dataset: [1, 2]\nsubject: id\nfields: 7\n").empty());
  CHECK_FALSE(problems_of("{{{").empty());
  CHECK_FALSE(problems_of("").empty());
  CHECK_FALSE(problems_of("dataset: t\nsubject: id\nfields:\n  - 42\n").empty());
  CHECK_FALSE(problems_of("dataset: t\nsubject: id\nfields:\n  - {name: id, type: enum, codes: c, required: true}\n"
                          "code_lists: {c: {a: {x: 1}}}\n")
                  .empty());
}

}  // namespace
}  // namespace yici::schema

namespace yici::schema {
namespace {

TEST_CASE("the fifth schema in schemas/README.md loads, so the guide stays true") {
  const std::string readme = test::read_text(std::string(YICI_SOURCE_DIR) + "/schemas/README.md");
  const std::size_t section = readme.find("## Writing a schema");
  REQUIRE(section != std::string::npos);
  const std::size_t start = readme.find("```yaml\n", section);
  REQUIRE(start != std::string::npos);
  const std::size_t end = readme.find("```", start + 8);
  auto schema = test::schema_from_text(readme.substr(start + 8, end - start - 8));
  REQUIRE(schema != nullptr);
  CHECK(schema->dataset == "social_insurance");
  Normaliser n(schema, {test::kToday});
  const auto r = test::run_row(n, {{"id_number", "11010519491231002X"},
                                   {"name", "张三"},
                                   {"insurance_kind", "基本养老保险"},
                                   {"enrolled_on", "2010-01-01"},
                                   {"ended_on", "2020年6月30日"},
                                   {"monthly_base", "8,000.00"}});
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.str("insurance_kind") == "pension");
  CHECK(r.str("monthly_base") == "8000");
  CHECK(r.status == "ended");
}

}  // namespace
}  // namespace yici::schema
