/**
 * Two levels of help: `--help` shows what a user needs, `--help-all` adds the advanced knobs (tuning, internal
 * switches). Required options say so, as commander's own help does not.
 */
import type { Command, Option } from 'commander';

const advanced = new WeakSet<Option>();

/** Marks an option as advanced: hidden from `--help`, shown by `--help-all`. */
export function advancedOption(option: Option): Option {
  advanced.add(option);
  return option.hideHelp();
}

/**
 * Applies the help level to every command under `program`: shows the advanced options when `all`, and otherwise
 * points to `--help-all` from each command that has some. Also marks required options "(required)".
 */
export function applyHelpLevel(program: Command, all: boolean): void {
  const visit = (command: Command) => {
    command.configureHelp({
      optionDescription(option) {
        const base = Object.getPrototypeOf(this).optionDescription.call(this, option) as string;
        return option.mandatory ? `${base} (required)` : base;
      },
    });
    const hidden = command.options.filter((o) => advanced.has(o));
    for (const option of hidden) option.hideHelp(!all);
    if (hidden.length > 0 && !all)
      command.addHelpText('after', `\nAdvanced options: ${hidden.map((o) => o.long).join(', ')} (see --help-all)`);
    command.commands.forEach(visit);
  };
  visit(program);
}
