/**
 * The `meetmeter` command line: one file per command, each exporting `register(program)`.
 * Exit codes: 0 done, 1 failure, 2 usage or configuration error.
 */
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.js";

const program = new Command("meetmeter")
  .description("Measures video meetings from Whereby's signed webhooks.")
  // A usage error is one line, as every configuration error is (SPEC §1), with where to find the usage.
  .configureOutput({
    outputError: (message, write) => write(`meetmeter: ${message.trim().replace(/^error: /, "")} (add --help for usage)\n`),
  })
  .exitOverride();

const commands = await Promise.all([
  import("./serve.js"),
  import("./demo.js"),
  import("./migrate.js"),
  import("./rebuild.js"),
  import("./report.js"),
  import("./import-export.js"),
  import("./meetings.js"),
  import("./deliveries.js"),
  import("./signature.js"),
  import("./link.js"),
  import("./metadata.js"),
  import("./simulate.js"),
]);
for (const command of commands) command.register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof ConfigError) {
    console.error(`meetmeter: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(`meetmeter: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
  // A command that failed part way may have left threads or connections open: they must not keep it running. It
  // ends once what it printed is out.
  process.stderr.write("", () => process.exit());
}
