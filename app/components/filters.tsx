/** One choice of a filter: a plain string is both its value and its label. */
export type FilterOption = string | { value: string; label: string };

/** A labelled <select> of a filter form; `any` names the first option, which filters nothing. */
export function FilterSelect({
  label,
  name,
  value,
  any,
  options,
}: {
  label: string;
  name: string;
  value: string | undefined;
  any?: string;
  options: readonly FilterOption[];
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ""}>
        {any === undefined ? null : <option value="">{any}</option>}
        {options.map((option) => {
          const choice = typeof option === "string" ? { value: option, label: option } : option;
          return (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          );
        })}
      </select>
    </label>
  );
}

/**
 * The manager filter: a list of managers, or, in an organisation with too many to list
 * (`managers` null), their email address.
 */
export function ManagerFilter({
  label,
  value,
  any,
  managers,
}: {
  label: string;
  value: string | undefined;
  any: string;
  managers: readonly { email: string; name: string }[] | null;
}) {
  if (managers === null) {
    return (
      <label>
        {label} (email)
        <input type="email" name="manager" defaultValue={value ?? ""} placeholder={any} />
      </label>
    );
  }
  return (
    <FilterSelect
      label={label}
      name="manager"
      value={value}
      any={any}
      options={managers.map((m) => ({ value: m.email, label: m.name }))}
    />
  );
}
