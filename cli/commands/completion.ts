/** completion bash|zsh: a shell completion script generated from the commands themselves. */
import { Argument, type Command } from 'commander';
import { examples } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/** Every command path (`schedules create`) with the words that may follow it: sub-commands and options. */
function completions(command: Command, path: string[] = []): Array<[string, string[]]> {
  const words = [...command.commands.map((c) => c.name()), ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)))];
  return [[path.join(' '), words], ...command.commands.flatMap((c) => completions(c, [...path, c.name()]))];
}

/** A bash completion function over the command tree (complete -F), also loadable by zsh's bashcompinit. */
export function bashCompletion(program: Command): string {
  const cases = completions(program)
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# containerizer completion: eval "$(containerizer completion bash)"
_containerizer() {
  local cur path="" word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) case " $(_containerizer_words "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac ;; esac
  done
  COMPREPLY=($(compgen -W "$(_containerizer_words "$path")" -- "$cur"))
}
_containerizer_words() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}
complete -F _containerizer containerizer
`;
}

export function completionCommand(program: Command): void {
  examples(
    program
      .command('completion')
      .description('Print a shell completion script (bash; zsh with bashcompinit)')
      .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
      .action((shell: string) => {
        if (shell !== 'bash' && shell !== 'zsh') throw new CliError(`no completion for ${shell}`, EXIT.USAGE);
        const prefix = shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : '';
        process.stdout.write(prefix + bashCompletion(program));
      }),
    ['eval "$(containerizer completion bash)"', 'containerizer completion bash > /etc/bash_completion.d/containerizer'],
  );
}
