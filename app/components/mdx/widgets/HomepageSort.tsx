import { sortWidget } from "./SortExercise";

/*
 * "What does the customer look for on our homepage?" For each candidate piece of homepage content
 * the learner chooses "Customer looks for this" or "Company-centred" and gets the reason at once.
 *
 * MDX:
 *   <HomepageSort
 *     title="Harbour Knitwear's homepage"
 *     items={[
 *       {"label": "Prices next to each product", "customerWants": true, "why": "…"},
 *       {"label": "The company history since 1962", "customerWants": false, "why": "…"}
 *     ]}
 *   />
 * Props: items (required, 2–30 entries: label text, customerWants true/false, optional why),
 * title and intro (optional text).
 */

export const { Widget: HomepageSort, parseProps: parseHomepageSortProps } = sortWidget({
  name: "HomepageSort",
  example: `<HomepageSort items={[{"label": "Delivery costs", "customerWants": true, "why": "…"}]} />`,
  defaultTitle: "What does the customer look for on the homepage?",
  list: {
    listKey: "items",
    textKey: "label",
    answerKey: "customerWants",
    noun: "Card",
    plural: "cards",
    max: 30,
    maxText: 200,
  },
  yes: { label: "Customer looks for this", verdict: "customers look for this" },
  no: { label: "Company-centred", verdict: "this is mainly about the company" },
});
