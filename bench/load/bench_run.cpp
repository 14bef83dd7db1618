// crmsync-bench-run: runs one command and reports its wall time and peak RSS, measured the way a small
// launcher can and a Python driver cannot.
//
//   crmsync-bench-run [--output FILE] [--cwd DIR] -- COMMAND [ARGS...]
//
// Prints one line on stdout:  exit=0 wall_s=1.234567 maxrss_kib=12345 utime_s=1.2 stime_s=0.1
//
// Why a launcher: Linux keeps a process's RSS high-water mark across execve(), and a child forked from a large
// parent starts with the parent's RSS. A child forked from Python therefore reports at least Python's RSS
// (about 14 MiB) as its ru_maxrss even when the program it executes never gets near that. This launcher is a
// small process, so what wait4() reports for its child is the command's own peak (plus well under 2 MiB).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int usage() {
  std::fputs("usage: crmsync-bench-run [--output FILE] [--cwd DIR] -- COMMAND [ARGS...]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const char* output = nullptr;
  const char* cwd = nullptr;
  int i = 1;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (std::strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
      output = argv[++i];
    } else if (std::strcmp(argv[i], "--cwd") == 0 && i + 1 < argc) {
      cwd = argv[++i];
    } else {
      return usage();
    }
  }
  if (i >= argc) return usage();
  char** cmd = argv + i;

  std::fflush(stdout);
  const double t0 = now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "crmsync-bench-run: fork: %s\n", std::strerror(errno));
    return 125;
  }
  if (pid == 0) {
    if (output != nullptr) {
      const int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(126);
    }
    const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (cwd != nullptr && chdir(cwd) != 0) _exit(126);
    execvp(cmd[0], cmd);
    std::fprintf(stderr, "crmsync-bench-run: cannot run %s: %s\n", cmd[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  pid_t r;
  do {
    r = wait4(pid, &status, 0, &ru);
  } while (r < 0 && errno == EINTR);
  const double wall = now() - t0;
  if (r < 0) {
    std::fprintf(stderr, "crmsync-bench-run: wait4: %s\n", std::strerror(errno));
    return 125;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("exit=%d wall_s=%.6f maxrss_kib=%ld utime_s=%.3f stime_s=%.3f\n", code, wall, ru.ru_maxrss,
              seconds(ru.ru_utime), seconds(ru.ru_stime));
  return 0;
}
