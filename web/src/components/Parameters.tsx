// A parameter schema described for reading rather than filling in: as a table on an action's
// page, as a compact list in a trigger's card and in the rule form's help. Both read the
// schema as the run form does (`fieldsOf`: required parameters first); a secret's default is
// never shown.
import { preview } from './json';
import { fieldsOf, type Property } from './schemaFields';
import { ScrollTable } from './ScrollTable';

/** The type of a schema property in words (`string`, `array of string`, `any`). */
function typeWords(property: Property): string {
  const type = Array.isArray(property.type) ? property.type.join(' or ') : typeof property.type === 'string' ? property.type : 'any';
  const items = property.items;
  if (type === 'array' && items && typeof items.type === 'string') return `array of ${items.type}`;
  return type;
}

/** The values a property allows, in words (`one of "a", "b"`), if it lists them. */
function choices(property: Property): string | null {
  return Array.isArray(property.enum) ? `one of ${property.enum.map((v) => preview(v, 80)).join(', ')}` : null;
}

/** A parameter schema as a table: name, type, required, default, description and limits. */
export function ParameterTable({ schema, caption }: { schema: unknown; caption: string }) {
  const fields = fieldsOf(schema);
  if (fields.length === 0) return <p className="muted">No parameters.</p>;
  return (
    <ScrollTable label={caption}>
      <table className="data-table param-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col" className="wide">
              Default
            </th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => {
            const { property } = field;
            const limits = [choices(property)];
            if (typeof property.minimum === 'number') limits.push(`≥ ${property.minimum}`);
            if (typeof property.maximum === 'number') limits.push(`≤ ${property.maximum}`);
            if (typeof property.minLength === 'number') limits.push(`at least ${property.minLength} characters`);
            if (typeof property.maxLength === 'number') limits.push(`at most ${property.maxLength} characters`);
            if (typeof property.pattern === 'string') limits.push(`matches ${property.pattern}`);
            const shown = limits.filter(Boolean);
            return (
              <tr key={field.name}>
                <td>
                  <code>{field.name}</code>
                  {property.secret && <span className="badge badge-idle param-secret">secret</span>}
                </td>
                <td>{typeWords(property)}</td>
                <td>{field.required ? 'yes' : 'no'}</td>
                <td className="wide">
                  {property.default === undefined ? (
                    <span className="muted">—</span>
                  ) : property.secret ? (
                    <span className="muted">(hidden)</span>
                  ) : (
                    <code>{preview(property.default, 80)}</code>
                  )}
                </td>
                <td>
                  {property.description ?? ''}
                  {shown.length > 0 && <span className="hint">{shown.join('; ')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollTable>
  );
}

/** A parameter schema as a list: name, type, required, what it is, allowed values, default. */
export function ParameterList({ schema, empty = 'No parameters.' }: { schema: unknown; empty?: string }) {
  const fields = fieldsOf(schema);
  if (fields.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="params">
      {fields.map(({ name, required, property }) => (
        <li key={name}>
          <code>{name}</code>
          {property.type !== undefined && <span className="muted"> ({typeWords(property)})</span>}
          {required && <span className="param-required"> required</span>}
          {property.secret && <span className="muted"> secret</span>}
          {property.description && <span> — {property.description}</span>}
          {choices(property) && <span className="muted"> {choices(property)}</span>}
          {property.default !== undefined && (
            <span className="muted"> default {property.secret ? '(hidden)' : preview(property.default, 60)}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
