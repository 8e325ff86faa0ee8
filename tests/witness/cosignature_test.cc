// C2SP signed-note, tlog-checkpoint, tlog-cosignature and the add-checkpoint body, against the
// specs' own examples and a vector of ours (spec/WITNESS.md, "Test vector").
#include <catch2/catch.hpp>

#include "ledger/checkpoint.h"
#include "tools/witness/add_checkpoint.h"
#include "tools/witness/checkpoint_body.h"
#include "tools/witness/cosignature.h"
#include "tools/witness/witness_policy.h"

namespace grantledger::witness {
namespace {

const std::string kDash = "\xE2\x80\x94 ";

// RFC 8032 section 7.1, TEST 1: the private key seed, as PKCS#8 PEM.
PrivateKey rfc8032_test1_key() {
  const Bytes der = *from_hex("302e020100300506032b657004220420"
                              "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  auto key = PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\n" + to_base64(der) + "\n-----END PRIVATE KEY-----\n");
  REQUIRE(key);
  return *key;
}

// Computed independently with the openssl command line (spec/WITNESS.md, "Test vector").
constexpr const char* kVectorKeyIdHex = "eb762cc2";
constexpr const char* kVectorLineBase64 =
    "63YswgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/kmm5tlCr9sJ57DLErur7K0yDXc2ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==";

const std::string kExampleCheckpoint = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

TEST_CASE("signed note: the C2SP signed-note example verifies with its vkey", "[witness]") {
  const std::string note = "This is an example message.\n\n" + kDash +
                           "example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
  auto vkey = parse_verifier_key("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", {kSigTypeEd25519});
  REQUIRE(vkey);  // the key ID the name, type 0x01 and key derive is the vkey's 530d903a
  CHECK(vkey->key_id == 0x530d903a);
  auto parsed = parse_signed_note(note);
  REQUIRE(parsed);
  CHECK(parsed->text == "This is an example message.\n");
  REQUIRE(parsed->signatures.size() == 1);
  CHECK(parsed->signatures[0].key_id == vkey->key_id);
  CHECK(vkey->key.verify(parsed->text, parsed->signatures[0].signature));
  CHECK_FALSE(vkey->key.verify("This is an example message!\n", parsed->signatures[0].signature));
  // The same vkey with another key ID, or of a type the caller does not take, is refused.
  CHECK_FALSE(parse_verifier_key("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", {kSigTypeEd25519}));
  CHECK_FALSE(parse_verifier_key("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", {kSigTypeCosignatureV1}));
}

TEST_CASE("signed note: malformed notes are refused with the reason", "[witness]") {
  const std::string sig = kDash + "a.example/k " + to_base64(std::string(68, 'x')) + "\n";
  CHECK(parse_signed_note("text\n\n" + sig));
  CHECK(parse_signed_note("text\n\nmore\n\n" + sig)->text == "text\n\nmore\n");  // the LAST blank line separates
  auto no_blank = parse_signed_note("text\n" + sig);
  REQUIRE_FALSE(no_blank);
  CHECK(no_blank.error().message().find("blank line") != std::string::npos);
  auto control = parse_signed_note("te\txt\n\n" + sig);
  REQUIRE_FALSE(control);
  CHECK(control.error().message().find("control character") != std::string::npos);
  CHECK_FALSE(parse_signed_note("text\n\n"));                                             // no signature
  CHECK_FALSE(parse_signed_note("te\xC0\xAFxt\n\n" + sig));                              // overlong UTF-8
  CHECK_FALSE(parse_signed_note("text\n\n- a.example/k " + to_base64("12345") + "\n"));  // not an em dash
  CHECK_FALSE(parse_signed_note("text\n\n" + kDash + "a+b " + to_base64("12345") + "\n"));  // '+' in a name
  CHECK_FALSE(parse_signed_note("text\n\n" + kDash + "a.example/k " + to_base64("1234") + "\n"));  // 4 bytes: no signature
  CHECK_FALSE(parse_signed_note("text\n\n" + sig.substr(0, sig.size() - 1)));               // no final newline
}

TEST_CASE("checkpoint body: origin, size without leading zeros, 32-byte root, non-empty extension lines", "[witness]") {
  auto cp = parse_checkpoint_body(kExampleCheckpoint);
  REQUIRE(cp);
  CHECK(cp->origin == "example.com/behind-the-sofa");
  CHECK(cp->tree_size == 20852163);
  CHECK(parse_checkpoint_body(kExampleCheckpoint + "extension\n"));
  CHECK_FALSE(parse_checkpoint_body(kExampleCheckpoint + "\n"));
  CHECK_FALSE(parse_checkpoint_body("o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"));
  CHECK_FALSE(parse_checkpoint_body("o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n"));
  CHECK_FALSE(parse_checkpoint_body("\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"));
  CHECK(parse_checkpoint_body("o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"));
}

TEST_CASE("cosignature: the tlog-cosignature example's signed message and line layout", "[witness]") {
  // The spec's example message for this checkpoint at time 1679315147, byte for byte.
  CHECK(cosignature_message(kExampleCheckpoint, 1679315147) ==
        "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  // The spec's example cosignature line: key ID, then the big-endian timestamp of that message.
  const std::string note = kExampleCheckpoint + "\n" + kDash +
                           "example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
                           kDash +
                           "witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
  auto parsed = parse_signed_note(note);
  REQUIRE(parsed);
  REQUIRE(parsed->signatures.size() == 2);
  CHECK(parsed->signatures[1].key_id == 0x8d66cf3f);
  REQUIRE(parsed->signatures[1].signature.size() == 8 + 64);
  CHECK(get_u64_be(parsed->signatures[1].signature) == 1679315147);
}

TEST_CASE("cosignature: our vector (RFC 8032 test key 1 as witness.example/w1) and its verification", "[witness]") {
  const Cosigner w{"witness.example/w1", rfc8032_test1_key()};
  const VerifierKey vkey = w.verifier_key();
  // Key ID = SHA-256("witness.example/w1" || "\n" || 0x04 || public key)[0:4] (spec/WITNESS.md, "Test vector").
  CHECK(vkey.key_id == note_key_id("witness.example/w1", 0x04, w.key.public_key().raw()));
  CHECK(vkey.to_string() == "witness.example/w1+" + std::string(kVectorKeyIdHex) + "+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea");
  const std::string line = w.cosign(kExampleCheckpoint, 1679315147);
  CHECK(line == kDash + "witness.example/w1 " + std::string(kVectorLineBase64) + "\n");
  auto parsed_vkey = parse_verifier_key(vkey.to_string(), {kSigTypeCosignatureV1});
  REQUIRE(parsed_vkey);

  const std::string log_line = kDash + "example.com/behind-the-sofa " + to_base64(std::string(68, 'x')) + "\n";
  const std::string note = kExampleCheckpoint + "\n" + log_line + line;
  auto verified = verify_cosignatures(note, {*parsed_vkey});
  REQUIRE(verified);
  REQUIRE(verified->size() == 1);
  CHECK(verified->front().timestamp_s == 1679315147);
  CHECK(verified->front().line == line);

  // Another witness's lines (same name, other key ID) are ignored; a forged line of this one refuses the note.
  const Cosigner other{"witness.example/w1", PrivateKey::generate()};
  CHECK(verify_cosignatures(kExampleCheckpoint + "\n" + other.cosign(kExampleCheckpoint, 5), {*parsed_vkey})->empty());
  std::string forged = line;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  auto refused = verify_cosignatures(kExampleCheckpoint + "\n" + forged, {*parsed_vkey});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kCorruption);
  // A cosignature over another checkpoint does not verify on this one.
  const std::string moved = "example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  CHECK_FALSE(verify_cosignatures(moved + "\n" + line, {*parsed_vkey}));
}

TEST_CASE("witness policy: quorum of distinct witnesses, unknown lines ignored, flags checked", "[witness]") {
  const Cosigner a{"a.example/w", PrivateKey::generate()}, b{"b.example/w", PrivateKey::generate()},
      c{"c.example/w", PrivateKey::generate()};
  auto policy = witness_policy({a.verifier_key().to_string(), b.verifier_key().to_string()}, 2);
  REQUIRE(policy);
  const std::string base = kExampleCheckpoint + "\n" + kDash + "example.com/behind-the-sofa " + to_base64(std::string(68, 'x')) + "\n";
  const std::string with_a = base + a.cosign(kExampleCheckpoint, 7), with_b = base + b.cosign(kExampleCheckpoint, 8);
  CHECK(check_witnessed(*policy, {with_a + b.cosign(kExampleCheckpoint, 8)}, "cp").is_ok());
  // Two notes of the same checkpoint pool their cosignatures; a note of another text does not count.
  CHECK(check_witnessed(*policy, {with_a, with_b}, "cp").is_ok());
  const std::string other_text = "example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  CHECK(check_witnessed(*policy, {with_a, other_text + "\n" + b.cosign(other_text, 8)}, "cp").code() == StatusCode::kFindings);
  Status one = check_witnessed(*policy, {with_a + a.cosign(kExampleCheckpoint, 9) + c.cosign(kExampleCheckpoint, 9)}, "cp");
  CHECK(one.code() == StatusCode::kFindings);
  CHECK(one.message() == "cp: 1 valid cosignature from the given witnesses (a.example/w), the quorum is 2");
  CHECK(witness_policy({}, std::nullopt)->quorum == 0);
  CHECK(witness_policy({a.verifier_key().to_string()}, std::nullopt)->quorum == 1);
  CHECK(witness_policy({a.verifier_key().to_string()}, 2).error().code() == StatusCode::kInvalidArgument);
  CHECK(witness_policy({}, 1).error().code() == StatusCode::kInvalidArgument);
  CHECK(witness_policy({a.verifier_key().to_string(), a.verifier_key().to_string()}, 1).error().code() == StatusCode::kInvalidArgument);
  CHECK(witness_policy({"a.example/w+00000000+" + to_base64("\x04" + a.key.public_key().raw())}, 1).error().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("add-checkpoint body: encodes and parses, refusing malformed ones", "[witness]") {
  AddCheckpointRequest r;
  r.old_size = 20852014;
  r.proof = {Hash32{}, Hash32{1}};
  r.note = kExampleCheckpoint + "\n" + kDash + "x.example/k " + to_base64("12345") + "\n";
  const std::string body = encode_add_checkpoint(r);
  CHECK(body.substr(0, 13) == "old 20852014\n");
  auto parsed = parse_add_checkpoint(body);
  REQUIRE(parsed);
  CHECK(parsed->old_size == r.old_size);
  CHECK(parsed->proof == r.proof);
  CHECK(parsed->note == r.note);
  CHECK(parse_add_checkpoint("old 0\n\n" + r.note)->proof.empty());
  CHECK_FALSE(parse_add_checkpoint("old 01\n\n" + r.note));
  CHECK_FALSE(parse_add_checkpoint("old  1\n\n" + r.note));
  CHECK_FALSE(parse_add_checkpoint("new 1\n\n" + r.note));
  CHECK_FALSE(parse_add_checkpoint("old 1\nnot base64\n\n" + r.note));
  CHECK_FALSE(parse_add_checkpoint("old 1\n" + r.note));  // the checkpoint's blank line is the first: proof lines malformed
  std::string many = "old 1\n";
  for (int i = 0; i < 63; ++i) many += to_base64(std::string(32, 'h')) + "\n";
  CHECK(parse_add_checkpoint(many + "\n" + r.note));  // 63 proof lines: the limit
  CHECK_FALSE(parse_add_checkpoint(many + to_base64(std::string(32, 'h')) + "\n\n" + r.note));
}

}  // namespace
}  // namespace grantledger::witness
