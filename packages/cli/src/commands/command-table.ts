// Every pond command, in the order `pond --help` lists them.

import type { Command } from "../command.js";
import { apply } from "./apply.js";
import { cat } from "./cat.js";
import { clone, pull, push, remote } from "./copies.js";
import { copy } from "./copy.js";
import { demo } from "./demo.js";
import { downsample } from "./downsample.js";
import { exportCommand } from "./export.js";
import { fsck } from "./fsck.js";
import { init } from "./init.js";
import { ln } from "./ln.js";
import { log } from "./log.js";
import { ls } from "./ls.js";
import { maintain } from "./maintain.js";
import { mkdir } from "./mkdir.js";
import { mknod } from "./mknod.js";
import { mv } from "./mv.js";
import { plot } from "./plot.js";
import { query } from "./query.js";
import { rm } from "./rm.js";
import { show } from "./show.js";
import { site } from "./site.js";
import { stat } from "./stat.js";

export const COMMANDS: readonly Command[] = [
  init,
  clone,
  mkdir,
  copy,
  exportCommand,
  cat,
  query,
  ls,
  stat,
  rm,
  mv,
  ln,
  log,
  show,
  downsample,
  mknod,
  apply,
  plot,
  site,
  maintain,
  fsck,
  push,
  pull,
  remote,
  demo,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
