// A profile: what a platform promises for each check in each cell, as data
// (harness/profiles/*.json, compiled into the binary; a user's own with --profile-file).
//
// Format, schema "procmatrix.profile/v1":
//   { "schema": "procmatrix.profile/v1", "name": "kubernetes", "title": "...",
//     "holds_for": { "kubernetes": "1.30-1.36", "containerd": "1.6-2.1" },   // versions
//     "sources": [ "kubernetes/kubernetes pkg/securitycontext/util.go", ... ],
//     "runtime_profiles": { "runsc": "gvisor" },   // cells on this runtime use that profile's rules
//     "api_rejects": [ { "when": {"procMount": "Unmasked", "hostUsers": true}, "reason": "..." } ],
//     "rules": [ { "match": {"group": "kubelet-masked"} | {"id": ["proc.keys", ...]},
//                  "when": {"procMount": "Default", "privileged": false, "hostUsers": true,
//                           "runtime": ["runc", ...]},        // every key optional: AND
//                  "expect": "masked", "because": "kubelet's maskedPaths" } ] }
// The first rule whose match and when hold decides. A profile must decide every check in every
// cell: loading checks that, so a missing row is an error at load time, not a silent pass.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cell.hpp"
#include "checks.hpp"
#include "expect.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

inline constexpr const char* kProfileSchema = "procmatrix.profile/v1";

// Conditions on a cell; an unset one holds for every cell.
struct CellCondition {
  std::optional<ProcMount> proc_mount;
  std::optional<bool> privileged;
  std::optional<bool> host_users;
  std::vector<std::string> runtimes;  // empty: every runtime

  bool holds_for(const Cell& cell) const;
};

struct Rule {
  std::vector<std::string> ids;  // exact check ids, or
  std::string group;             // a group of checks.hpp
  CellCondition when;
  Expect expect = Expect::any;
  std::string because;           // what the promise rests on: "kubelet's maskedPaths"

  bool matches(const CheckInfo& check, const Cell& cell) const;
};

// A cell the platform's API refuses to create (Kubernetes 1.30+: Unmasked needs hostUsers false).
struct ApiReject {
  CellCondition when;
  std::string reason;
};

struct Profile {
  std::string name;
  std::string title;
  std::map<std::string, std::string> holds_for;  // component -> version range
  std::vector<std::string> sources;
  std::map<std::string, std::string> runtime_profiles;  // runtime name -> profile name
  std::vector<ApiReject> api_rejects;
  std::vector<Rule> rules;
  // What judging a local run by this profile means, when the local backend (which makes the
  // specs kubelet + containerd would) is not the platform it describes. Empty: it is.
  std::string local_backend_note;

  // The reason the API rejects this cell, if it does.
  const ApiReject* api_reject(const Cell& cell) const;
};

// What a profile expects of one check in one cell, and why.
struct Expectation {
  Expect expect = Expect::any;
  std::string because;
  std::string profile;  // the profile whose rule decided (a runtime profile, maybe)
};

// Loads a profile from JSON text; `file` names it in errors. Checks every field, every value and
// that every check is decided in every cell.
Result<Profile> load_profile(const std::string& file, std::string_view text);

// The profiles compiled into the binary (harness/profiles/*.json), by name.
Result<Profile> builtin_profile(const std::string& name);
std::vector<std::string> builtin_profile_names();
// Loads a user's profile file.
Result<Profile> load_profile_file(const std::string& path);

// A profile with the runtime profiles it names, resolved: what verdicts are made with.
class ProfileSet {
 public:
  // Resolves `main.runtime_profiles` among the built-in profiles.
  static Result<ProfileSet> make(Profile main);

  const Profile& main() const { return main_; }
  // The expectation for a check in a cell: the runtime's profile's rule if it has one, else the
  // main profile's. Every loaded profile decides every check, so this always finds one.
  Expectation expect(const CheckInfo& check, const Cell& cell) const;

 private:
  Profile main_;
  std::map<std::string, Profile> by_runtime_;
};

}  // namespace procmatrix::harness
