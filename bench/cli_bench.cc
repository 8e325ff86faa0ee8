// cli_bench: whole `grantledger` processes on ledgers of growing size (issue 11, "State that
// scales"), not a test.
//
//   cli_bench [--grantledger PATH] [--dir DIR] [--sizes N,N,...] [--runs R] [--reuse]
//
// Defaults: build/grantledger, /tmp/cli_bench, 10000,100000,1000000, 3 runs. 5,000,000 only when
// asked (`--sizes 5000000`).
//
// Per size N it builds DIR/ledger-N with `grantledger demo --course-payments K` (K chosen below),
// records the build's wall time, the demo's peak RSS and the directory's bytes on disk, then runs,
// R times each and interleaved (so every query sees a ledger one event longer than the last):
//   append     --data D --key D/keys/finance-851.pem --input FILE   (one course_payment_recorded)
//   balance    --data D --by municipality
//   checkpoint --data D
//   history    --data D --entity 851
// Every command is its own process (fork + execv, reaped with wait4): wall time is steady_clock
// from before fork to after wait4, peak memory is that child's ru_maxrss. A run that does not exit
// 0 stops the bench with the child's stderr; it is never a figure. Children's stdout goes to
// /dev/null (they pay for writing it, not for a terminal), stderr to DIR/child.stderr.
//
// Targets (issue 11), judged on the median of the runs: a 1-event append under 50 ms and under
// 64 MiB peak RSS at every size; balance, checkpoint and history under 50 ms at every size.
//
// Choosing K. The demo writes about 3.8 events per course payment (payment, claim, decision,
// payout) until the 2012 allocations are used up (near 6,000 payments), then 3.0 (later claims are
// rejected, not paid), plus a fixed part. So K comes from the (K, events) pairs of every demo this
// bench built in DIR (DIR/calibration.tsv): interpolated between the pairs that bracket N, else
// extrapolated from the two nearest; with fewer than two pairs, two small demos (1,000 and 3,000
// payments, about 1 s) seed the file. A build that lands more than 5 % away from N is rebuilt once
// with the K its own pair gives (an extrapolation across the bend lands short).
//
// --reuse keeps DIR/ledger-N when its tree size is within 5 % of N (each run of the bench appends
// R events to it) and reports the build figures stored beside it (DIR/ledger-N.meta).
//
// Peak RSS floor: a child's ru_maxrss also covers the memory image it had before execve (a copy
// of this bench's); the `/bin/true` line printed first, started the same way, shows that floor
// (0.9 MiB on the standard machine). Disk use is measured as found before the runs (a reused
// ledger may have been compacted since its build).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kAppendWallMsMax = 50;  // issue 11
constexpr double kAppendRssMibMax = 64;  // issue 11
constexpr double kQueryWallMsMax = 50;   // issue 11
constexpr double kSizeTolerance = 0.05;  // a ledger within 5 % of N counts as size N
constexpr int kRunsMax = 1000;
constexpr uint64_t kSizeMax = 100'000'000;
constexpr size_t kStderrShownBytesMax = 4000;  // of a failed child's stderr

// The demo employer and provider of the appended event: Aalborg Kommune (851), whose finance
// officer key the demo writes to keys/finance-851.pem, and a provider of tools/demo/data/.
constexpr const char* kEmployer = "851";
constexpr const char* kProvider = "eaaa";

struct Options {
  std::string grantledger = "build/grantledger";
  std::string dir = "/tmp/cli_bench";
  std::vector<uint64_t> sizes = {10000, 100000, 1000000};
  int runs = 3;
  bool reuse = false;
};

[[noreturn]] void fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "cli_bench: %s\n", message.c_str());
  std::exit(1);
}

[[noreturn]] void usage(const std::string& message) {
  std::fprintf(stderr,
               "cli_bench: %s\nusage: cli_bench [--grantledger PATH] [--dir DIR] "
               "[--sizes N,N,...] [--runs R] [--reuse]\n",
               message.c_str());
  std::exit(2);
}

// A whole decimal number in [min, max], or usage().
uint64_t parse_number(const std::string& flag, const std::string& text, uint64_t min,
                      uint64_t max) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
    usage(flag + ": expected a whole number, got '" + text + "'");
  uint64_t n = std::stoull(text);
  if (n < min || n > max)
    usage(flag + ": " + text + " is outside " + std::to_string(min) + ".." + std::to_string(max));
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--reuse") {
      o.reuse = true;
      continue;
    }
    if (i + 1 >= argc) usage("unknown flag or missing value: " + flag);
    std::string value = argv[++i];
    if (flag == "--grantledger") {
      o.grantledger = value;
    } else if (flag == "--dir") {
      o.dir = value;
    } else if (flag == "--runs") {
      o.runs = static_cast<int>(parse_number(flag, value, 1, kRunsMax));
    } else if (flag == "--sizes") {
      o.sizes.clear();
      std::stringstream list(value);
      std::string item;
      while (std::getline(list, item, ','))
        o.sizes.push_back(parse_number(flag, item, 1000, kSizeMax));
      if (o.sizes.empty()) usage("--sizes: no size given");
    } else {
      usage("unknown flag: " + flag);
    }
  }
  // Ascending, so each build adds a calibration pair below the next size.
  std::sort(o.sizes.begin(), o.sizes.end());
  o.sizes.erase(std::unique(o.sizes.begin(), o.sizes.end()), o.sizes.end());
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) fail("cannot write " + path);
}

// ---- one child process ----------------------------------------------------------------------

struct ChildRun {
  double wall_ms = 0;
  double peak_rss_mib = 0;  // ru_maxrss of exactly this child
};

std::string command_line(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Runs args[0] with args, stdout to `stdout_path` (truncated), stderr to DIR/child.stderr; waits
// for it. Stops the bench, showing the child's stderr, unless it exits 0.
ChildRun run_child(const std::vector<std::string>& args, const std::string& stdout_path,
                   const std::string& dir) {
  const std::string stderr_path = dir + "/child.stderr";
  // Everything the child needs is prepared before the clock starts: it only dup2()s and execs.
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int out_fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) fail("cannot open " + stdout_path + " or " + stderr_path);

  auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  pid_t reaped;
  do {
    reaped = wait4(pid, &status, 0, &usage);
  } while (reaped < 0 && errno == EINTR);
  auto end = Clock::now();
  close(out_fd);
  close(err_fd);
  if (reaped != pid) fail(std::string("wait4: ") + std::strerror(errno));

  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                        : "signal " + std::to_string(WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) why += " (exec failed)";
    std::string err = read_file(stderr_path);
    if (err.size() > kStderrShownBytesMax)
      err = "..." + err.substr(err.size() - kStderrShownBytesMax);
    fail(command_line(args) + ": " + why + "\n--- its stderr (" + stderr_path + ") ---\n" + err);
  }
  ChildRun run;
  run.wall_ms = std::chrono::duration<double, std::milli>(end - start).count();
  run.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
  return run;
}

// The tree size of the ledger in `ledger`: the second line of `grantledger checkpoint`'s note
// (spec/LOG.md, "Checkpoints").
uint64_t tree_size(const Options& o, const std::string& ledger) {
  const std::string out = o.dir + "/checkpoint.out";
  run_child({o.grantledger, "checkpoint", "--data", ledger}, out, o.dir);
  std::istringstream note(read_file(out));
  std::string origin, size;
  std::getline(note, origin);
  std::getline(note, size);
  if (size.empty() || size.find_first_not_of("0123456789") != std::string::npos)
    fail("checkpoint --data " + ledger + ": second line is not a tree size: '" + size + "'");
  return std::stoull(size);
}

// Bytes the directory's files occupy on disk (allocated blocks, not apparent sizes).
uint64_t disk_bytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (lstat(entry.path().c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return bytes;
}

// ---- building ledgers of about N events -----------------------------------------------------

// (course payments, events) pairs of the demos built in DIR, DIR/calibration.tsv.
class Calibration {
 public:
  explicit Calibration(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    uint64_t k, events;
    while (in >> k >> events) events_by_k_[k] = events;
  }

  size_t size() const { return events_by_k_.size(); }

  void add(uint64_t k, uint64_t events) {
    events_by_k_[k] = events;
    std::ofstream out(path_, std::ios::app);
    out << k << "\t" << events << "\n";
  }

  // K for about `events` events. REQUIRES: size() >= 2.
  uint64_t course_payments_for(uint64_t events) const {
    std::vector<std::pair<double, double>> p(events_by_k_.begin(), events_by_k_.end());
    size_t i = 0;  // the pair (p[i], p[i+1]) to interpolate or extrapolate from
    while (i + 2 < p.size() && p[i + 1].second < static_cast<double>(events)) ++i;
    double slope = (p[i + 1].second - p[i].second) / (p[i + 1].first - p[i].first);
    if (!(slope > 0)) fail("calibration: events do not grow with course payments: " + path_);
    double k = p[i].first + (static_cast<double>(events) - p[i].second) / slope;
    return static_cast<uint64_t>(std::max(1.0, std::round(k)));
  }

 private:
  std::string path_;
  std::map<uint64_t, uint64_t> events_by_k_;
};

struct Build {
  uint64_t course_payments = 0;
  uint64_t events = 0;  // tree size right after the build
  double wall_s = 0;
  double peak_rss_mib = 0;
  bool reused = false;
};

Build run_demo(const Options& o, const std::string& ledger, uint64_t k) {
  fs::remove_all(ledger);
  std::fprintf(stderr, "building %s: demo --course-payments %llu ...\n", ledger.c_str(),
               static_cast<unsigned long long>(k));
  ChildRun run =
      run_child({o.grantledger, "demo", "--data", ledger, "--course-payments", std::to_string(k)},
                ledger + ".demo.out", o.dir);
  Build b;
  b.course_payments = k;
  b.events = tree_size(o, ledger);
  b.wall_s = run.wall_ms / 1000;
  b.peak_rss_mib = run.peak_rss_mib;
  std::fprintf(stderr, "  %llu events in %.1f s\n", static_cast<unsigned long long>(b.events),
               b.wall_s);
  return b;
}

bool near(uint64_t events, uint64_t target) {
  return std::fabs(static_cast<double>(events) - static_cast<double>(target)) <=
         kSizeTolerance * static_cast<double>(target);
}

void write_meta(const std::string& path, const Build& b) {
  std::ostringstream s;
  s << "course_payments " << b.course_payments << "\nevents " << b.events << "\nwall_s " << b.wall_s
    << "\npeak_rss_mib " << b.peak_rss_mib << "\n";
  write_file(path, s.str());
}

std::optional<Build> read_meta(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Build b;
  std::string key;
  double value;
  while (in >> key >> value) {
    if (key == "course_payments")
      b.course_payments = static_cast<uint64_t>(value);
    else if (key == "events")
      b.events = static_cast<uint64_t>(value);
    else if (key == "wall_s")
      b.wall_s = value;
    else if (key == "peak_rss_mib")
      b.peak_rss_mib = value;
  }
  return b;
}

// DIR/ledger-N, about `target` events: reused (--reuse, size within 5 %) or built.
Build ledger_of_size(const Options& o, const std::string& ledger, uint64_t target,
                     Calibration& cal) {
  const std::string meta = ledger + ".meta";
  if (o.reuse && fs::exists(ledger + "/CURRENT")) {
    uint64_t events = tree_size(o, ledger);
    if (near(events, target)) {
      Build b = read_meta(meta).value_or(Build{});
      b.reused = true;
      return b;
    }
    std::fprintf(stderr, "%s holds %llu events, not about %llu: rebuilding\n", ledger.c_str(),
                 static_cast<unsigned long long>(events), static_cast<unsigned long long>(target));
  }
  fs::remove(meta);
  if (cal.size() < 2) {
    for (uint64_t k : {1000, 3000}) {
      const std::string probe = o.dir + "/calibrate-" + std::to_string(k);
      Build b = run_demo(o, probe, k);
      cal.add(k, b.events);
      fs::remove_all(probe);
      fs::remove(probe + ".demo.out");
    }
  }
  Build b = run_demo(o, ledger, cal.course_payments_for(target));
  cal.add(b.course_payments, b.events);
  if (!near(b.events, target)) {
    std::fprintf(stderr, "  %llu events is more than 5 %% from %llu: rebuilding once\n",
                 static_cast<unsigned long long>(b.events),
                 static_cast<unsigned long long>(target));
    b = run_demo(o, ledger, cal.course_payments_for(target));
    cal.add(b.course_payments, b.events);
  }
  write_meta(meta, b);
  return b;
}

// ---- the measured commands --------------------------------------------------------------------

// One course payment by Aalborg (851), spec/JSON.md; payment_id unique across runs and reruns.
std::string append_input(const std::string& payment_id) {
  return std::string("{\"type\":\"course_payment_recorded\",\"effective_date\":\"2013-03-01\",") +
         "\"payment_id\":\"" + payment_id + "\",\"employer_code\":\"" + kEmployer +
         "\",\"provider_code\":\"" + kProvider +
         "\",\"participant\":\"P-bench\",\"course_kind\":\"akademi\","
         "\"module\":\"Akademiuddannelsen i ledelse, modul "
         "1\",\"course_start_date\":\"2013-03-04\","
         "\"payment_date\":\"2013-03-01\",\"amount_ore\":650000}\n";
}

struct Figures {
  std::vector<double> wall_ms;
  std::vector<double> peak_rss_mib;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

struct Row {
  uint64_t events;
  std::string command;
  Figures figures;
};

const char* const kCommands[] = {"append", "balance", "checkpoint", "history"};

std::vector<Row> measure(const Options& o, const std::string& ledger, uint64_t events) {
  const std::string input = o.dir + "/append-input.jsonl";
  const std::string key = ledger + "/keys/finance-" + kEmployer + ".pem";
  const long long stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  std::map<std::string, Figures> by_command;
  for (int r = 0; r < o.runs; ++r) {
    write_file(input, append_input("BENCH-" + std::string(kEmployer) + "-" + std::to_string(stamp) +
                                   "-" + std::to_string(r + 1)));
    const std::vector<std::vector<std::string>> commands = {
        {o.grantledger, "append", "--data", ledger, "--key", key, "--input", input},
        {o.grantledger, "balance", "--data", ledger, "--by", "municipality"},
        {o.grantledger, "checkpoint", "--data", ledger},
        {o.grantledger, "history", "--data", ledger, "--entity", kEmployer},
    };
    for (size_t c = 0; c < commands.size(); ++c) {
      ChildRun run = run_child(commands[c], "/dev/null", o.dir);
      by_command[kCommands[c]].wall_ms.push_back(run.wall_ms);
      by_command[kCommands[c]].peak_rss_mib.push_back(run.peak_rss_mib);
    }
  }
  std::vector<Row> rows;
  for (const char* c : kCommands) rows.push_back({events, c, by_command[c]});
  return rows;
}

// The 1-minute load average: the machine is shared, and a figure taken under load says so.
double load_1min() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

std::string with_commas(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

void print_row(const Row& row) {
  const bool append = row.command == "append";
  const double wall = median(row.figures.wall_ms), rss = median(row.figures.peak_rss_mib);
  const bool met =
      append ? wall < kAppendWallMsMax && rss < kAppendRssMibMax : wall < kQueryWallMsMax;
  char target[64];
  if (append)
    std::snprintf(target, sizeof target, "< %.0f ms, < %.0f MiB", kAppendWallMsMax,
                  kAppendRssMibMax);
  else
    std::snprintf(target, sizeof target, "< %.0f ms", kQueryWallMsMax);
  std::printf("| %s | %s | %zu | %.1f | %.1f | %.1f | %s | %s |\n", with_commas(row.events).c_str(),
              row.command.c_str(), row.figures.wall_ms.size(), wall, max_of(row.figures.wall_ms),
              rss, target, met ? "yes" : "**no**");
}

void print_rows_header() {
  std::printf(
      "| events | command | runs | median wall ms | max wall ms | median peak RSS MiB | target | "
      "met |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  if (access(o.grantledger.c_str(), X_OK) != 0)
    usage("--grantledger " + o.grantledger + ": not an executable file");
  fs::create_directories(o.dir);

  std::printf("cli_bench: %s, %d runs per command, ledgers in %s\n", o.grantledger.c_str(), o.runs,
              o.dir.c_str());
  ChildRun floor = run_child({"/bin/true"}, "/dev/null", o.dir);
  std::printf("peak RSS floor (/bin/true started the same way): %.1f MiB\n\n", floor.peak_rss_mib);
  std::fflush(stdout);

  Calibration cal(o.dir + "/calibration.tsv");
  struct SizeResult {
    uint64_t target;
    Build build;
    uint64_t events_measured;  // tree size before the first measured append
    uint64_t disk_bytes;
  };
  std::vector<SizeResult> sizes;
  std::vector<Row> rows;
  for (uint64_t target : o.sizes) {
    const std::string ledger = o.dir + "/ledger-" + std::to_string(target);
    Build build = ledger_of_size(o, ledger, target, cal);
    SizeResult s{target, build, tree_size(o, ledger), disk_bytes(ledger)};
    sizes.push_back(s);
    std::printf(
        "ledger-%llu: %s events, %s course payments, build %.1f s%s, demo peak RSS %.0f MiB, "
        "%.1f MiB on disk (%.0f bytes/event)\n",
        static_cast<unsigned long long>(target), with_commas(s.events_measured).c_str(),
        with_commas(build.course_payments).c_str(), build.wall_s, build.reused ? " (reused)" : "",
        build.peak_rss_mib, static_cast<double>(s.disk_bytes) / (1 << 20),
        static_cast<double>(s.disk_bytes) / static_cast<double>(s.events_measured));
    const double load_before = load_1min();
    std::vector<Row> measured = measure(o, ledger, s.events_measured);
    std::printf("(load average %.2f before the runs, %.2f after)\n", load_before, load_1min());
    print_rows_header();
    for (Row& row : measured) {
      print_row(row);
      rows.push_back(std::move(row));
    }
    std::printf("\n");
    std::fflush(stdout);
  }

  std::printf(
      "## Summary\n\n| target events | events | course payments | build s | demo peak RSS MiB | "
      "disk MiB | bytes/event |\n| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& s : sizes)
    std::printf("| %s | %s | %s | %.1f%s | %.0f | %.1f | %.0f |\n", with_commas(s.target).c_str(),
                with_commas(s.events_measured).c_str(),
                with_commas(s.build.course_payments).c_str(), s.build.wall_s,
                s.build.reused ? " (reused)" : "", s.build.peak_rss_mib,
                static_cast<double>(s.disk_bytes) / (1 << 20),
                static_cast<double>(s.disk_bytes) / static_cast<double>(s.events_measured));
  std::printf("\n");
  print_rows_header();
  for (const Row& row : rows) print_row(row);
  return 0;
}
