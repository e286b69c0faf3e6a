/**
 * The Junos configuration hierarchy level of one administrator, from `UI_CMDLINE_READ_LINE` commands: `edit X`
 * moves down, `up [n]` and `exit` move back up (exit returns to the level the last `edit` came from), `top` returns
 * to the top, `top <command>` runs one command from the top (Junos CLI User Guide, "Configuration Mode Commands").
 * `set`/`delete`/… inside an `edit` level are relative to it; `UI_CFG_AUDIT_*` paths are always absolute
 * (events.md §4.6: `edit groups … ge-3/1/6` then `set speed 100m` audits as `[groups … ge-3/1/6 speed]`).
 */

/** One administrator's position in the hierarchy. */
export interface JunosLevel {
  /** Each `edit` adds one group of words; `exit` and `up` remove one group. */
  groups: string[][];
}

/** Statement verbs whose arguments are a path relative to the current level. */
const PATH_VERBS = new Set([
  'set',
  'delete',
  'deactivate',
  'activate',
  'insert',
  'annotate',
  'protect',
  'unprotect',
  'rename',
  'copy',
  'replace',
  'wildcard',
]);

/** The result of placing one Junos command. */
export interface JunosPlacement {
  /** `edit <absolute path>` of the level the command was typed at, '' at the top. */
  context: string;
  /** The absolute path the command acts on (verb excluded), or undefined when it names none. */
  absolute: readonly string[] | undefined;
  /** The command enters configuration mode (`configure`, or `edit` alone in operational mode). */
  entersConfig: boolean;
  /** The command leaves configuration mode (`exit` at the top, `exit configuration-mode`, `quit`). */
  leavesConfig?: boolean;
}

function splitWords(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

/** The context string of a level. */
export function junosContext(level: JunosLevel): string {
  if (level.groups.length === 0) return '';
  let out = 'edit';
  for (const g of level.groups) for (const w of g) out += ` ${w}`;
  return out;
}

function flat(level: JunosLevel): string[] {
  const out: string[] = [];
  for (const g of level.groups) for (const w of g) out.push(w);
  return out;
}

/** Places a `UI_CMDLINE_READ_LINE` command at `level` (mutated). */
export function placeJunosCommand(level: JunosLevel, command: string): JunosPlacement {
  const w = splitWords(command);
  const context = junosContext(level);
  let verb = w[0];
  let args = w.slice(1);
  let fromTop = false;
  if (verb === 'top') {
    if (args.length === 0) {
      level.groups = [];
      return { context, absolute: undefined, entersConfig: false };
    }
    fromTop = true;
    verb = args[0];
    args = args.slice(1);
  }
  switch (verb) {
    case 'configure':
      // Entering configuration mode starts at the top.
      level.groups = [];
      return { context: '', absolute: undefined, entersConfig: true };
    case 'edit': {
      if (args.length === 0) {
        // `edit` alone is the operational-mode alias of `configure` (in configuration mode it changes nothing).
        const enters = level.groups.length === 0 && !fromTop;
        return { context, absolute: undefined, entersConfig: enters };
      }
      const base = fromTop ? [] : level.groups;
      level.groups = [...base, args];
      return { context, absolute: [...flat({ groups: base }), ...args], entersConfig: false };
    }
    case 'up': {
      const n = args.length > 0 && /^\d+$/.test(args[0]) ? Number(args[0]) : 1;
      level.groups = level.groups.slice(0, Math.max(0, level.groups.length - n));
      return { context, absolute: undefined, entersConfig: false };
    }
    case 'exit':
    case 'quit': {
      const leaves = args[0] === 'configuration-mode' || level.groups.length === 0;
      if (args[0] === 'configuration-mode') level.groups = [];
      else level.groups = level.groups.slice(0, -1);
      return { context, absolute: undefined, entersConfig: false, leavesConfig: leaves };
    }
    default:
      if (verb !== undefined && PATH_VERBS.has(verb)) {
        const base = fromTop ? [] : flat(level);
        return { context: fromTop ? '' : context, absolute: [...base, ...args], entersConfig: false };
      }
      return { context, absolute: undefined, entersConfig: false };
  }
}

/**
 * The mirroring object an absolute path configures: `forwarding-options analyzer <name>` (EX/QFX),
 * `forwarding-options port-mirroring[ instance <name>]` (MX), also inside `groups <name>`; '' for none.
 */
export function junosMirrorObject(path: readonly string[]): string {
  let i = 0;
  if (path[0] === 'groups' && path.length > 2) i = 2;
  if (path[i] !== 'forwarding-options') return '';
  const kind = path[i + 1];
  if (kind === 'analyzer' && path[i + 2] !== undefined) return `forwarding-options analyzer ${path[i + 2]}`;
  if (kind === 'port-mirroring') {
    if (path[i + 2] === 'instance' && path[i + 3] !== undefined) {
      return `forwarding-options port-mirroring instance ${path[i + 3]}`;
    }
    return 'forwarding-options port-mirroring';
  }
  return '';
}

/** Splits an audit path (`forwarding-options analyzer A1 input`) into words. */
export function junosPathWords(path: string): string[] {
  return splitWords(path);
}
