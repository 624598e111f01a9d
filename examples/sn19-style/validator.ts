/**
 * An SN19-style validator. Every period it asks each miner for its capacities, then checks a fraction of each
 * declared volume with synthetic Chat requests; every answer (synthetic or organic) goes into the period ledger; a
 * miner's reward is its SN19 score: quality × speed, the period score, capacity, cubed shares, summed by task weight.
 * It also serves OpenAI's /v1/chat/completions and forwards those requests to the best miners.
 *   npx tsx examples/sn19-style/validator.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 --wallet.name validator --organic.port 8200
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  capacityScores,
  checkFraction,
  createCapacityLedger,
  createRouter,
  fetchCapacities,
  normalisedPeriodScore,
  speedFactor,
  syntheticPlan,
  type Scorer,
} from 'subnetkit/epoch';
import { createValidator, runNeuronProcess } from 'subnetkit/neuron';
import { Chat, TASKS, prompt, reference } from './protocol.js';

const PERIOD_S = 120; // SN19 uses an hour; short here so that a local run shows periods turning over

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'validator',
  name: 'sn19-validator',
  extraFlags: [
    {
      name: 'organic.port',
      kind: 'int',
      help: 'serve /v1/chat/completions here (0: a free port)',
      default: 8200,
      min: 0,
      max: 65535,
    },
  ],
  async start({ subtensor, hotkey, config, logger, stateDir }) {
    const ledger = createCapacityLedger();
    const capacity = new Map<number, Record<string, number>>();
    const history = new Map<string, { score: number; consumed: number }[]>(); // `${task}:${uid}` → period scores, newest first
    const quality = new Map<string, number[]>(); // quality × speed per (task, uid) this period
    let periodStart = 0;
    const plan = new Map<string, number>(); // volume to check per (task, uid)

    function record(task: string, uid: number, reply: Chat, organic: boolean) {
      const status = reply.isSuccess
        ? reply.reply === reference(reply.prompt)
          ? 200
          : 500
        : (reply.dendrite.status_code ?? 500);
      ledger.record(task, uid, { status, work: reply.prompt.length });
      if (status === 200) {
        const q = quality.get(`${task}:${uid}`) ?? [];
        q.push(speedFactor(reply.dendrite.process_time ?? null, reply.prompt.length, TASKS[task]!.speed));
        quality.set(`${task}:${uid}`, q);
      }
      logger.debug({ task, uid, status, organic }, 'recorded');
    }

    function rewards(n: number): Float64Array {
      const tasks = Object.entries(TASKS).map(([task, spec]) => {
        const mean = (a: number[] | undefined) => (a?.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
        const period = (uid: number) => {
          const now = ledger.scores(task).get(uid);
          const past = history.get(`${task}:${uid}`) ?? [];
          return normalisedPeriodScore(
            now === undefined ? past : [{ score: now, consumed: ledger.get(task, uid)?.consumed ?? 0 }, ...past],
          );
        };
        return {
          weight: spec.weight,
          quality: Array.from({ length: n }, (_, uid) => Math.min(mean(quality.get(`${task}:${uid}`)), 1.6) / 1.6),
          periodScore: Array.from({ length: n }, (_, uid) => period(uid)),
          capacity: Array.from({ length: n }, (_, uid) => capacity.get(uid)?.[task] ?? 0),
        };
      });
      return capacityScores(n, tasks);
    }

    const score: Scorer<Chat, { task: string }> = {
      scoresFailures: true, // 429s and errors count in the period score
      score(ctx) {
        ctx.responses.forEach((r, i) => {
          record(ctx.context.task, ctx.uids[i]!, r, false);
        });
        const all = rewards(ctx.metagraph.n);
        const max = Math.max(...all, 1e-12);
        return ctx.uids.map((uid) => all[uid]! / max);
      },
    };

    const validator = createValidator<Chat, { task: string }>({
      subtensor,
      hotkey,
      netuid: config.netuid,
      async query({ metagraph, uids, block }) {
        if (!periodStart || Date.now() - periodStart > PERIOD_S * 1000) {
          // A new period: close the old one, ask for capacities, draw how much of each volume to check.
          for (const task of Object.keys(TASKS))
            for (const [uid, s] of ledger.scores(task))
              history.set(
                `${task}:${uid}`,
                [
                  { score: s, consumed: ledger.get(task, uid)!.consumed },
                  ...(history.get(`${task}:${uid}`) ?? []),
                ].slice(0, 48),
              );
          ledger.clear();
          quality.clear();
          const caps = await fetchCapacities(
            validator.dendrite,
            uids.map((uid) => ({ uid, axon: metagraph.axons[uid]! })),
            TASKS,
          );
          for (const [uid, c] of caps) {
            capacity.set(uid, c);
            for (const [task, v] of Object.entries(c)) {
              ledger.declare(task, uid, v);
              plan.set(
                `${task}:${uid}`,
                syntheticPlan(v, checkFraction(), TASKS[task]!.conversion, PERIOD_S).volumeToScore,
              );
            }
          }
          periodStart = Date.now();
          logger.info({ block, miners: caps.size }, 'new scoring period');
        }
        const task = Object.keys(TASKS)[Math.floor(Math.random() * Object.keys(TASKS).length)]!;
        // Only miners that declared this task and still have volume to check this period.
        const due = uids.filter(
          (uid) => (capacity.get(uid)?.[task] ?? 0) > 0 && !ledger.done(task, uid, plan.get(`${task}:${uid}`) ?? 0),
        );
        return {
          synapse: new Chat({ task, prompt: prompt(task === 'chat-small' ? 200 : 800) }),
          uids: due,
          context: { task },
        };
      },
      score,
      timeout: config.neuron.timeout,
      sampleSize: config.neuron.sampleSize,
      alpha: config.neuron.movingAverageAlpha,
      statePath: join(stateDir, 'state.json'),
      logger,
    });

    const router = createRouter<Chat>({
      dendrite: validator.dendrite,
      epoch: validator.epoch,
      capacity: (uid, s) => capacity.get(uid)?.[s.task] ?? 0,
    });
    const organic = createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        try {
          const { messages = [] } = JSON.parse(body) as { messages?: { role: string; content: string }[] };
          const text = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
          const task = text.length > 400 ? 'chat-large' : 'chat-small';
          const { reply, uid } = await router.route(new Chat({ task, prompt: text }));
          record(task, uid, reply, true); // organic traffic counts toward the period, as on SN19
          if (!reply.isSuccess)
            return void res
              .writeHead(502, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: { message: reply.dendrite.status_message } }));
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: `chatcmpl-${Date.now()}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: task,
              choices: [{ index: 0, message: { role: 'assistant', content: reply.reply }, finish_reason: 'stop' }],
              subnet: { uid },
            }),
          );
        } catch (e) {
          res
            .writeHead(e instanceof SyntaxError ? 400 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: (e as Error).message } }));
        }
      });
    });
    await validator.start();
    await new Promise<void>((r) => organic.listen(config.extra['organic.port'] as number, '127.0.0.1', () => r()));
    logger.info({ port: (organic.address() as { port: number }).port }, 'organic endpoint: POST /v1/chat/completions');
    return async () => {
      organic.close();
      await validator.stop();
    };
  },
});
