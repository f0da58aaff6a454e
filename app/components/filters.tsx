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
