// Exit codes of the crmsync command, documented in docs/cli.md. Scripts and schedulers rely on them.
#pragma once

namespace crmsync::cli {

enum ExitCode : int {
  kExitOk = 0,          // the command did what it was asked
  kExitRunFailed = 1,   // a run started and failed: nothing was committed, the run is recorded as failed
  kExitInvalid = 2,     // bad command line or pipeline: nothing ran
  kExitCancelled = 3,   // interrupted (SIGINT/SIGTERM): nothing was committed
  kExitStoreError = 4,  // the database could not be opened or read
};

}  // namespace crmsync::cli
