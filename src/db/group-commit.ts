/**
 * Group commit inside one isolate (issue 18): writes that arrive together share one statement,
 * one connection and one commit, instead of paying each for itself. The database's cost of a
 * single-row write is mostly per statement and per commit (parse, plan, WAL flush), so a group of
 * n costs far less than n writes, and the rows ride on a connection only the group's first
 * member (its leader) opened.
 *
 * - A group opens with its first member and flushes on the next macrotask (no fixed wait: alone,
 *   a write goes out at once), or later when `maxInFlight` groups are already running; whatever
 *   arrives meanwhile joins it, up to `maxItems`. Under load groups grow by themselves; idle, a
 *   group is one write.
 * - Each member gets its own outcome, only after the group's statement returned (for a write,
 *   after its commit), or the group's error.
 * - When the group's statement fails in a way one member may have caused (`splittable`), each
 *   member runs again alone on the same connection, so one bad row fails only its own caller.
 *   Otherwise (a lost connection, a timeout) every member gets the group's error: nothing is
 *   reported stored that was not.
 * - The group runs on its leader's request (its connection, its I/O context; on Workers, I/O
 *   objects belong to the request that made them), kept alive by `keepAlive` (ctx.waitUntil)
 *   even if the leader's client goes away. Members wait on promises they created themselves,
 *   which the runtime resumes in each member's own request.
 */
export interface GroupOptions {
  /** Most members one group takes; the next arrival opens a new group. */
  maxItems: number;
  /** Groups running at once in this isolate; more wait, and keep taking members while they wait. */
  maxInFlight: number;
  /** Whether a failed group is run again member by member (the error may be one member's). */
  splittable: (error: unknown) => boolean;
  /** Longest a member waits for its group's outcome; then it gets `waitLimitError()` instead. */
  maxWaitMs: number;
  waitLimitError: () => unknown;
}

/** Runs one statement for all items; returns one outcome per item, in the items' order. */
export type GroupRunner<I, O> = (items: I[]) => Promise<O[]>;

interface Member<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

interface Group<I, O> {
  members: Member<I, O>[];
  run: GroupRunner<I, O>;
}

const nextMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class GroupCommitter<I, O> {
  #open: Group<I, O> | undefined;
  #inFlight = 0;
  #waiting: (() => void)[] = [];

  constructor(private readonly options: GroupOptions) {}

  /**
   * Adds `item` to the open group, or opens one led by this caller: `run` (the caller's own
   * connection) then runs the group, and `keepAlive` receives the group's whole run. Resolves
   * with the item's outcome, or rejects with the group's error or after `maxWaitMs`.
   */
  async submit(item: I, run: GroupRunner<I, O>, keepAlive: (work: Promise<unknown>) => void): Promise<O> {
    const outcome = this.#join(item, run, keepAlive);
    // workerd cancels a request as hung when nothing of its own is pending, and waiting on another
    // request's work is not: this timer is the member's own pending event, and bounds the wait.
    // It is made and cleared in the member's own request (timers belong to their request).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.options.waitLimitError()), this.options.maxWaitMs);
    });
    try {
      return await Promise.race([outcome, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  #join(item: I, run: GroupRunner<I, O>, keepAlive: (work: Promise<unknown>) => void): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let group = this.#open;
      const leads = group === undefined;
      if (!group) {
        group = { members: [], run };
        this.#open = group;
      }
      group.members.push({ item, resolve, reject });
      if (group.members.length >= this.options.maxItems) this.#open = undefined;
      if (leads) keepAlive(this.#flush(group));
    });
  }

  async #flush(group: Group<I, O>): Promise<void> {
    await nextMacrotask();
    await this.#acquire();
    if (this.#open === group) this.#open = undefined;
    try {
      await this.#runGroup(group);
    } finally {
      this.#release();
    }
  }

  async #runGroup({ members, run }: Group<I, O>): Promise<void> {
    let outcomes: O[];
    try {
      outcomes = await run(members.map((m) => m.item));
      if (outcomes.length !== members.length) throw new Error('group write returned the wrong number of outcomes');
    } catch (error) {
      if (members.length > 1 && this.options.splittable(error)) return runAlone(members, run);
      for (const m of members) m.reject(error);
      return;
    }
    for (const [i, m] of members.entries()) m.resolve(outcomes[i] as O);
  }

  async #acquire(): Promise<void> {
    if (this.#inFlight < this.options.maxInFlight) {
      this.#inFlight++;
      return;
    }
    // The slot is handed over by #release, still counted as in flight.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight--;
  }
}

/** The group's statement failed as a whole: each member again, alone, one after the other. */
async function runAlone<I, O>(members: Member<I, O>[], run: GroupRunner<I, O>): Promise<void> {
  for (const m of members) {
    try {
      const [outcome] = await run([m.item]);
      if (outcome === undefined) throw new Error('write returned no outcome');
      m.resolve(outcome);
    } catch (error) {
      m.reject(error);
    }
  }
}
