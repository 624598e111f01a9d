/** `defineSynapse`: typed synapse classes from a field declaration, on the base {@link Synapse} or another. */
import { SynapseError } from './errors.js';
import { Field, type FieldInit, type FieldMap, type FieldValues } from './fields.js';
import { type BaseFieldName, Synapse, type SynapseClass, type SynapseInit, isBaseField } from './synapse.js';

/** The instance type of a synapse defined with fields `F` on base `B`. */
export type SynapseWith<F extends FieldMap, B extends Synapse = Synapse> = B & FieldValues<F>;

/** A synapse class usable as a base of {@link defineSynapse}. */
// biome-ignore lint/suspicious/noExplicitAny: a mixin base must accept any constructor arguments (TS2545)
export type SynapseBase<B extends Synapse> = abstract new (...args: any[]) => B;

/** Options of {@link defineSynapse}. */
export interface DefineSynapseOptions<F extends FieldMap, B extends Synapse> {
  /** The route and `name` (Python: the class name). */
  name: string;
  /** Typed fields, in wire order, after the base fields. */
  fields: F;
  /** Fields hashed into the body hash, in order (base fields allowed). Prefer str and int fields across languages. */
  requiredHashFields?: ReadonlyArray<(keyof F & string) | BaseFieldName>;
  /** A synapse class to extend (default {@link Synapse}), e.g. `StreamingSynapse`. */
  base?: SynapseBase<B>;
}

/**
 * Defines a synapse class with typed fields. The result is a real class (extend it to override `deserialize`),
 * and handlers and dendrite calls infer its field types without casts.
 *
 * @example
 * ```ts
 * import { defineSynapse, t } from 'subnetkit/synapse';
 * const Dummy = defineSynapse({
 *   name: 'Dummy',
 *   fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
 *   requiredHashFields: ['dummy_input'],
 * });
 * const s = new Dummy({ dummy_input: 4 }); // s.dummy_input: number, s.dummy_output: number | null
 * ```
 */
export function defineSynapse<const F extends FieldMap, B extends Synapse = Synapse>(
  options: DefineSynapseOptions<F, B>,
): SynapseClass<SynapseWith<F, B>, SynapseInit & FieldInit<F>> {
  const { name, fields } = options;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SynapseError(
      'SYNAPSE_INVALID_FIELD',
      `synapse name ${JSON.stringify(name)} must be an identifier (it is the URL route)`,
    );
  }
  const Base = (options.base ?? Synapse) as unknown as typeof Synapse;
  const allFields: FieldMap = { ...Base.fields };
  for (const [k, f] of Object.entries(fields)) {
    if (isBaseField(k)) throw new SynapseError('SYNAPSE_INVALID_FIELD', `field ${k} shadows a base Synapse field`);
    if (!(f instanceof Field))
      throw new SynapseError('SYNAPSE_INVALID_FIELD', `field ${k} must be declared with t.*()`);
    allFields[k] = f;
  }
  const hashed = options.requiredHashFields ?? Base.requiredHashFields;
  for (const h of hashed) {
    if (!(h in allFields) && !isBaseField(h))
      throw new SynapseError('SYNAPSE_INVALID_FIELD', `requiredHashFields names unknown field ${h}`);
  }
  const Defined = class extends Base {
    static override synapseName = name;
    static override fields = allFields;
    static override requiredHashFields = Object.freeze([...hashed]);
  };
  Object.defineProperty(Defined, 'name', { value: name });
  return Defined as unknown as SynapseClass<SynapseWith<F, B>, SynapseInit & FieldInit<F>>;
}
