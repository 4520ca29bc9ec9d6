/**
 * `hyperspace sim dht …`: run the DHT simulator (src/sim/dht-sim.ts) and print one
 * JSON object (issue 3, "Simulator"). Progress goes to stderr.
 */
import { parse, intFlag } from './args.ts';
import { EXIT_OK, processIo, UsageError, type CliIo } from './io.ts';
import { headroomMessages, planHeadroom, rerunWithHeap } from './heap-headroom.ts';
import { ADVERSARY_MODES } from '../sim/colluders.ts';
import { DEFAULTS, runDhtSim, type AdversaryMode, type DhtSimOptions } from '../sim/dht-sim.ts';

const HELP = `hyperspace sim — simulators

Usage:
  hyperspace sim dht --nodes <n> --lookups <m> [options] --json

Options (dht):
  --nodes <n>                 simulated nodes (default ${DEFAULTS.nodes})
  --lookups <m>               lookups measured (default ${DEFAULTS.lookups})
  --adversaries <fraction>    colluding puzzle-valid adversaries, 0..0.9 (default 0)
  --adversary <mode>          drop | misroute | eclipse (default ${DEFAULTS.adversary}); floods (issue 12; they
                              live in 16 /24s and misroute too): spoof | subnet-sybils | store-flood |
                              provider-flood (with --workload providers)
  --disjoint <d>              disjoint lookup paths (default ${DEFAULTS.disjoint})
  --k <k>                     bucket size (default ${DEFAULTS.k})
  --alpha <a>                 parallel requests per lookup (default ${DEFAULTS.alpha})
  --churn-session-min <min>   mean exponential session length, minutes (0 = no churn)
  --loss <p>                  message loss probability
  --duplicate <p>             message duplication probability
  --bootstrap seeded|join     how tables are built (default seeded; see docs/dht.md)
  --warmup-min <min>          simulated minutes before measuring (default 30 with churn, else 2)
  --duration-min <min>        simulated minutes the lookups are spread over (default ${DEFAULTS.durationMin})
  --workload node|value|providers
                              node: FIND_NODE for random targets (default); value: each lookup publishes a
                              record from one random node, then fetches it (FIND_VALUE) from another;
                              providers: one node announces a key, another asks for its providers
  --seed <s>                  random seed (same seed, same result)
  --quiet                     no progress on stderr
  --json                      print the result as JSON (always one object)
`;

/** Lookups from which the run says up front that it is long (a 10,000-node default run does 1,000). */
const LONG_RUN_LOOKUPS = 100_000;

function floatFlag(value: unknown, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number in [${min}, ${max}]`);
  return n;
}

export async function runSim(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (command !== 'dht') throw new UsageError(`unknown sim command '${command}'`);
  const { values } = parse(rest, {
    nodes: { type: 'string' },
    lookups: { type: 'string' },
    adversaries: { type: 'string' },
    adversary: { type: 'string' },
    disjoint: { type: 'string' },
    k: { type: 'string' },
    alpha: { type: 'string' },
    'churn-session-min': { type: 'string' },
    loss: { type: 'string' },
    duplicate: { type: 'string' },
    bootstrap: { type: 'string' },
    'warmup-min': { type: 'string' },
    'duration-min': { type: 'string' },
    workload: { type: 'string' },
    seed: { type: 'string' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const adversary = (values.adversary ?? DEFAULTS.adversary) as AdversaryMode;
  if (!ADVERSARY_MODES.includes(adversary)) throw new UsageError(`--adversary must be one of ${ADVERSARY_MODES.join(', ')}`);
  const bootstrap = (values.bootstrap ?? DEFAULTS.bootstrap) as DhtSimOptions['bootstrap'];
  if (bootstrap !== 'seeded' && bootstrap !== 'join') throw new UsageError('--bootstrap must be seeded or join');
  const workload = (values.workload ?? DEFAULTS.workload) as DhtSimOptions['workload'];
  if (workload !== 'node' && workload !== 'value' && workload !== 'providers') throw new UsageError('--workload must be node, value or providers');
  if (adversary === 'provider-flood' && workload !== 'providers') throw new UsageError('--adversary provider-flood needs --workload providers');
  // Record keys are hashes (keccak of namespace and name): value lookups cannot be aimed at a victim's range.
  if (workload !== 'node' && adversary === 'eclipse') throw new UsageError('--workload value does not combine with --adversary eclipse (record keys cannot be aimed at a victim)');
  const options: Partial<DhtSimOptions> = {
    nodes: intFlag(values.nodes, 'nodes', 2, 1_000_000, DEFAULTS.nodes),
    lookups: intFlag(values.lookups, 'lookups', 1, 10_000_000, DEFAULTS.lookups),
    adversaries: floatFlag(values.adversaries, 'adversaries', 0, 0.9, 0),
    adversary,
    disjoint: intFlag(values.disjoint, 'disjoint', 1, 64, DEFAULTS.disjoint),
    k: intFlag(values.k, 'k', 1, 64, DEFAULTS.k),
    alpha: intFlag(values.alpha, 'alpha', 1, 64, DEFAULTS.alpha),
    churnSessionMin: floatFlag(values['churn-session-min'], 'churn-session-min', 0, 1e6, 0),
    loss: floatFlag(values.loss, 'loss', 0, 0.9, 0),
    duplicate: floatFlag(values.duplicate, 'duplicate', 0, 0.9, 0),
    bootstrap,
    warmupMin: floatFlag(values['warmup-min'], 'warmup-min', 0, 1e5, DEFAULTS.warmupMin),
    durationMin: floatFlag(values['duration-min'], 'duration-min', 0.01, 1e5, DEFAULTS.durationMin),
    seed: intFlag(values.seed, 'seed', 0, 2 ** 32 - 1, DEFAULTS.seed),
    workload,
  };
  if (!values.quiet) options.log = (line) => io.stderr(`sim: ${line}\n`);
  // Bytes per simulated node at the end of a run, with margin: ~42 KB measured static, ~70 KB
  // under 5-minute churn (docs/dht.md §4); plus the simulator's fixed overhead.
  const perNode = options.churnSessionMin! > 0 ? 100_000 : 60_000;
  const plan = planHeadroom(options.nodes! * perNode + 512 * 2 ** 20, io.env);
  const rerun = plan.rerunMiB !== null && io === processIo;
  if (!values.quiet) for (const l of headroomMessages(rerun ? plan : { ...plan, rerunMiB: null, tooSmall: plan.tooSmall || plan.rerunMiB !== null }, 'sim: ')) io.stderr(`${l}\n`);
  if (rerun) return rerunWithHeap(plan.rerunMiB!);
  if (!values.quiet && options.lookups! >= LONG_RUN_LOOKUPS) {
    io.stderr(`sim: ${options.lookups!.toLocaleString('en-US')} lookups is a long run: the expected time left is printed once the first 1% are done, then every 10 s (--quiet hides it)\n`);
  }
  const result = await runDhtSim(options);
  io.stdout(JSON.stringify(result) + '\n');
  return EXIT_OK;
}
