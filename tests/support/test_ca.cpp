#include "tests/support/test_ca.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {

void make_ca(const std::string& dir, const std::string& cn, const std::string& issuer_dir) {
  std::filesystem::create_directories(dir);
  TempDir work;
  work.write("ca.ext",
             "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n"
             "subjectKeyIdentifier=hash\n");
  const std::string key = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + dir + "/ca.key";
  const std::string signing =
      issuer_dir.empty()
          ? "openssl req -new -x509 -key " + dir + "/ca.key -subj '/O=Yici test/CN=" + cn + "' -days 30 -addext " +
                "basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign -out " + dir +
                "/ca.crt"
          : "openssl req -new -key " + dir + "/ca.key -subj '/O=Yici test/CN=" + cn + "' -out " + work.file("ca.csr") +
                " && openssl x509 -req -in " + work.file("ca.csr") + " -CA " + issuer_dir + "/ca.crt -CAkey " +
                issuer_dir + "/ca.key -days 30 -extfile " + work.file("ca.ext") + " -out " + dir + "/ca.crt";
  REQUIRE(run_command("(" + key + " && " + signing + ") >/dev/null 2>&1") == 0);
}

void make_client(const std::string& out, const std::string& cn, const std::string& issuer_dir,
                 const std::string& extensions) {
  TempDir work;
  work.write("client.ext", "extendedKeyUsage=clientAuth\n" + extensions + "\n");
  REQUIRE(run_command("(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + out +
                      ".key && openssl req -new -key " + out + ".key -subj '/CN=" + cn + "' -out " +
                      work.file("c.csr") + " && openssl x509 -req -in " + work.file("c.csr") + " -CA " + issuer_dir +
                      "/ca.crt -CAkey " + issuer_dir + "/ca.key -days 30 -extfile " + work.file("client.ext") +
                      " -out " + out + ".crt) >/dev/null 2>&1") == 0);
}

}  // namespace yici::test
