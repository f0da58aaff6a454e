/**
 * The editor's Insert menu: a starting block for every component a lesson may use (the registry
 * in ./index.ts and the widgets), each valid as it stands (test/authoring-snippets.test.ts
 * compiles every one). Question, Choice and Explanation come inside the quiz.
 */
export interface Snippet {
  /** The component the snippet inserts. */
  name: string;
  label: string;
  text: string;
}

export const SNIPPETS: Snippet[] = [
  {
    name: "Scenario",
    label: "Scenario (a story to start from)",
    text: `<Scenario title="A situation your colleagues know">

What happened, to whom, and what they had to decide.

</Scenario>`,
  },
  {
    name: "Callout",
    label: "Callout (tip, warning or info)",
    text: `<Callout type="tip" title="A short title">
  One or two sentences worth remembering.
</Callout>`,
  },
  {
    name: "KeyPoint",
    label: "Key point",
    text: `<KeyPoint>The one thing to remember from this section.</KeyPoint>`,
  },
  {
    name: "MondayAction",
    label: "Monday action (what to do next)",
    text: `<MondayAction>
  One thing to do at work this week.
</MondayAction>`,
  },
  {
    name: "Figure",
    label: "Figure (an image with a caption)",
    text: `<Figure
  src="https://example.com/photo.jpg"
  alt="What the picture shows, for people who cannot see it"
  caption="What to notice in it."
/>`,
  },
  {
    name: "Quiz",
    label: "Quiz (questions, choices, explanations)",
    text: `<Quiz passMark={0.8}>
  <Question prompt="What should you do first?">
    <Choice>A believable wrong answer</Choice>
    <Choice correct>The right answer</Choice>
    <Choice>Another believable wrong answer</Choice>
    <Explanation>Why the right answer is right.</Explanation>
  </Question>
</Quiz>`,
  },
  {
    name: "Acknowledge",
    label: "Acknowledge (a statement to confirm)",
    text: `<Acknowledge>
  I have read this policy and I will follow it.
</Acknowledge>`,
  },
  {
    name: "MythOrFact",
    label: "Myth or fact (exercise)",
    text: `<MythOrFact
  title="Myth or fact?"
  statements={[
    { text: "A statement people often believe.", fact: false, why: "Why it is not true." },
    { text: "A statement that is true.", fact: true, why: "Why it holds." },
  ]}
/>`,
  },
  {
    name: "HomepageSort",
    label: "Homepage sort (exercise)",
    text: `<HomepageSort
  title="What belongs on the homepage?"
  items={[
    { label: "Prices next to each product", customerWants: true, why: "People look for the price first." },
    { label: "The company's full history", customerWants: false, why: "Keep it on an About page." },
  ]}
/>`,
  },
  {
    name: "CostBenefitWorksheet",
    label: "Cost and benefit worksheet (exercise)",
    text: `<CostBenefitWorksheet
  title="One month of the web shop"
  currency="£"
  period="month"
  costs={[{ label: "Courier charges", amount: 400 }, "Advertising"]}
  benefits={[{ label: "Profit on online sales", amount: 1200 }]}
/>`,
  },
];
