/**
 * Wallets in btwallet's on-disk layout: `<root>/<name>/coldkey`, `coldkeypub.txt`, `hotkeys/<hotkey>` and
 * `hotkeys/<hotkey>pub.txt`. Files are written 0600, atomically (temp file + rename), and never overwritten unless
 * asked to.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeysError } from './errors.js';
import {
  generateMnemonic,
  keypairFromMnemonic,
  keypairFromSeed,
  keypairFromUri,
  keypairFromAddress,
  type Keypair,
} from './keypair.js';
import {
  decryptKeyfileData,
  encryptKeyfileData,
  envVarNameForKeyfile,
  keyfileEncryption,
  parseKeyfile,
  passwordFromEnvironment,
  serializeKeyfile,
} from './keyfile.js';

/** Where a wallet lives. Defaults follow btwallet: `BT_WALLET_PATH`, `BT_WALLET_NAME`, `BT_WALLET_HOTKEY`. */
export interface WalletOptions {
  /** Wallet name (default `BT_WALLET_NAME` or `default`). */
  name?: string;
  /** Hotkey name (default `BT_WALLET_HOTKEY` or `default`). */
  hotkey?: string;
  /** Root folder (default `BT_WALLET_PATH` or `~/.bittensor/wallets/`); `~` is expanded. */
  path?: string;
  /** Environment to read defaults and `BT_PW_*` passwords from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** How to create or regenerate a key. */
export interface CreateKeyOptions {
  /** Replace an existing keyfile (default false: `KEYFILE_EXISTS`). */
  overwrite?: boolean;
  /** Encrypt the keyfile with this password (coldkeys need one unless `usePassword: false`). */
  password?: string;
  /** Whether to encrypt (default true for coldkeys, false for hotkeys, as btwallet). */
  usePassword?: boolean;
}

/** A wallet: its paths and key operations. */
export interface Wallet {
  /** Wallet name (folder under the root). */
  readonly name: string;
  /** Hotkey name (file under `hotkeys/`). */
  readonly hotkeyName: string;
  /** The expanded root folder. */
  readonly path: string;
  /** `<root>/<name>/coldkey`. */
  readonly coldkeyPath: string;
  /** `<root>/<name>/coldkeypub.txt`. */
  readonly coldkeypubPath: string;
  /** `<root>/<name>/hotkeys/<hotkey>`. */
  readonly hotkeyPath: string;
  /** `<root>/<name>/hotkeys/<hotkey>pub.txt`. */
  readonly hotkeypubPath: string;
  /** Creates a coldkey from a fresh mnemonic; returns the mnemonic (show it to the user once) and the keypair. */
  createNewColdkey(options?: CreateKeyOptions & NewKeyOptions): Promise<NewKey>;
  /** Creates a hotkey from a fresh mnemonic. */
  createNewHotkey(options?: CreateKeyOptions & NewKeyOptions): Promise<NewKey>;
  /** Writes a coldkey (and coldkeypub.txt) from a mnemonic, seed or URI. */
  regenerateColdkey(from: KeySource, options?: CreateKeyOptions): Promise<Keypair>;
  /** Writes a hotkey (and its pub.txt) from a mnemonic, seed or URI. */
  regenerateHotkey(from: KeySource, options?: CreateKeyOptions): Promise<Keypair>;
  /** Writes coldkeypub.txt alone from an address (a watch-only wallet). */
  regenerateColdkeypub(ss58Address: string, options?: { overwrite?: boolean }): Promise<Keypair>;
  /** Loads the coldkey; the password comes from the argument, then `BT_PW_<PATH>`. */
  getColdkey(password?: string): Promise<Keypair>;
  /** Loads the hotkey (decrypting it if it is encrypted). */
  getHotkey(password?: string): Promise<Keypair>;
  /** Loads coldkeypub.txt (public only). */
  getColdkeypub(): Promise<Keypair>;
  /** Loads the hotkey's public part (from `<hotkey>pub.txt`, else from the hotkey file). */
  getHotkeypub(): Promise<Keypair>;
}

/** Extra options when creating a key from a fresh mnemonic. */
export interface NewKeyOptions {
  /** Mnemonic length (default 12). */
  words?: 12 | 15 | 18 | 21 | 24;
}

/** A freshly created key: show the mnemonic to its owner once. */
export interface NewKey {
  /** The BIP-39 words the key derives from. */
  mnemonic: string;
  /** The keypair. */
  keypair: Keypair;
}

/** Where a regenerated key comes from. */
export type KeySource =
  | {
      /** BIP-39 words. */
      mnemonic: string;
    }
  | {
      /** 32-byte mini-secret, hex or bytes. */
      seed: string | Uint8Array;
    }
  | {
      /** Secret URI, e.g. `//Alice` or `<mnemonic>//hard`. */
      uri: string;
    };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function checkName(kind: string, name: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name === '.' || name === '..') {
    throw new KeysError(
      'WALLET_INVALID_NAME',
      `${kind} name ${JSON.stringify(name)} must be 1-64 of [A-Za-z0-9_.-] (no path separators)`,
    );
  }
  return name;
}

function keypairOf(from: KeySource): Keypair {
  if ('mnemonic' in from) return keypairFromMnemonic(from.mnemonic);
  if ('seed' in from) return keypairFromSeed(from.seed);
  return keypairFromUri(from.uri);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `path` with mode 0600 via a temp file, fsync and rename, so a crash leaves either the old file or
 * the new one, never a torn keyfile.
 */
async function writeAtomic(path: string, data: Uint8Array, overwrite: boolean): Promise<void> {
  if (!overwrite && (await exists(path)))
    throw new KeysError('KEYFILE_EXISTS', `${path} exists; pass overwrite: true to replace it`);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function readKeyfile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new KeysError('KEYFILE_NOT_FOUND', `no keyfile at ${path}`, { cause });
  }
}

/**
 * Opens (or prepares) a wallet in btwallet's layout. Nothing touches the disk until a method is called.
 *
 * @example
 * ```ts
 * import { createWallet } from 'subnetkit/keys';
 * const wallet = createWallet({ name: 'validator', hotkey: 'default' });
 * const hotkey = await wallet.getHotkey();
 * const coldkeypub = await wallet.getColdkeypub();
 * ```
 */
export function createWallet(options: WalletOptions = {}): Wallet {
  // over 80 lines by design: the wallet's paths and cached keys are shared by its dozen methods, each a few lines, as
  // Python's Wallet has them.
  const env = options.env ?? process.env;
  const name = checkName('wallet', options.name ?? env.BT_WALLET_NAME ?? 'default');
  const hotkeyName = checkName('hotkey', options.hotkey ?? env.BT_WALLET_HOTKEY ?? 'default');
  const root = resolve(expandHome(options.path ?? env.BT_WALLET_PATH ?? '~/.bittensor/wallets/'));
  const coldkeyPath = join(root, name, 'coldkey');
  const coldkeypubPath = join(root, name, 'coldkeypub.txt');
  const hotkeyPath = join(root, name, 'hotkeys', hotkeyName);
  const hotkeypubPath = join(root, name, 'hotkeys', `${hotkeyName}pub.txt`);

  async function writeKey(
    path: string,
    pubPath: string,
    keypair: Keypair,
    opts: CreateKeyOptions,
    encryptByDefault: boolean,
  ): Promise<Keypair> {
    const overwrite = opts.overwrite ?? false;
    // Check both targets first, so a refusal writes nothing at all.
    if (!overwrite)
      for (const p of [path, pubPath])
        if (await exists(p)) throw new KeysError('KEYFILE_EXISTS', `${p} exists; pass overwrite: true to replace it`);
    const encrypt = opts.usePassword ?? encryptByDefault;
    let data = serializeKeyfile(keypair);
    if (encrypt) {
      if (!opts.password)
        throw new KeysError(
          'KEYFILE_NEEDS_PASSWORD',
          `a password is required to encrypt ${path} (or pass usePassword: false)`,
        );
      if (opts.password.length < 6)
        throw new KeysError('KEYFILE_WEAK_PASSWORD', 'passwords must be at least 6 characters');
      data = await encryptKeyfileData(data, { password: opts.password });
    }
    await writeAtomic(pubPath, serializeKeyfile(keypair, { publicOnly: true }), overwrite);
    await writeAtomic(path, data, overwrite);
    return keypair;
  }

  async function load(path: string, password: string | undefined): Promise<Keypair> {
    const data = await readKeyfile(path);
    if (keyfileEncryption(data) === null) return parseKeyfile(data);
    const pw = password ?? passwordFromEnvironment(envVarNameForKeyfile(path), env);
    if (!pw)
      throw new KeysError(
        'KEYFILE_NEEDS_PASSWORD',
        `${path} is encrypted: pass its password (or set ${envVarNameForKeyfile(path)})`,
      );
    return parseKeyfile(await decryptKeyfileData(data, { password: pw }));
  }

  return {
    name,
    hotkeyName,
    path: root,
    coldkeyPath,
    coldkeypubPath,
    hotkeyPath,
    hotkeypubPath,
    async createNewColdkey(opts = {}) {
      const mnemonic = generateMnemonic(opts.words ?? 12);
      return {
        mnemonic,
        keypair: await writeKey(coldkeyPath, coldkeypubPath, keypairFromMnemonic(mnemonic), opts, true),
      };
    },
    async createNewHotkey(opts = {}) {
      const mnemonic = generateMnemonic(opts.words ?? 12);
      return {
        mnemonic,
        keypair: await writeKey(hotkeyPath, hotkeypubPath, keypairFromMnemonic(mnemonic), opts, false),
      };
    },
    regenerateColdkey: (from, opts = {}) => writeKey(coldkeyPath, coldkeypubPath, keypairOf(from), opts, true),
    regenerateHotkey: (from, opts = {}) => writeKey(hotkeyPath, hotkeypubPath, keypairOf(from), opts, false),
    async regenerateColdkeypub(ss58Address, opts = {}) {
      const kp = keypairFromAddress(ss58Address);
      await writeAtomic(coldkeypubPath, serializeKeyfile(kp, { publicOnly: true }), opts.overwrite ?? false);
      return kp;
    },
    getColdkey: (password) => load(coldkeyPath, password),
    getHotkey: (password) => load(hotkeyPath, password),
    getColdkeypub: async () => parseKeyfile(await readKeyfile(coldkeypubPath)),
    async getHotkeypub() {
      if (await exists(hotkeypubPath)) return parseKeyfile(await readKeyfile(hotkeypubPath));
      const data = await readKeyfile(hotkeyPath);
      if (keyfileEncryption(data) !== null)
        throw new KeysError('KEYFILE_NOT_FOUND', `${hotkeypubPath} is missing and the hotkey is encrypted`);
      return keypairFromAddress(parseKeyfile(data).publicKey);
    },
  };
}
