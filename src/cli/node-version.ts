/*
 * Imported first by the CLI, before any native module loads: on an unsupported Node (20 reached its
 * end of life; better-sqlite3 13 crashes on it with a segfault) say so in one line and exit 2.
 */
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`feeder: Node 22.12 or newer is required (24 recommended); this is Node ${process.versions.node}\n`);
  process.exit(2);
}
