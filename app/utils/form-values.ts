/** An empty form field means "not given": for `z.preprocess` in route schemas. */
export const blankToUndefined = (value: unknown) => (value === "" ? undefined : value);
