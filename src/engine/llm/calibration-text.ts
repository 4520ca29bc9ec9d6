/**
 * The built-in calibration text of `model import` (whitepaper §2.2.6): plain English prose, written for this
 * project (public domain), that every importer encodes with the model's own tokenizer, so the activation scales —
 * and therefore the model hash — are the same on every machine.
 */
export const CALIBRATION_TEXT = [
  'The morning was cold and clear, and the river ran fast under the old stone bridge. A few boats were tied along the bank, their ropes stiff with frost, and the market on the far side was only beginning to wake.',
  'She opened the letter slowly. It was short, written in a careful hand, and it said only that the house had been sold and that the new owners would arrive before the end of the month.',
  'Scientists measure the speed of a reaction by watching how quickly the amount of a substance changes. If the temperature rises, most reactions run faster, because the molecules move more and collide more often.',
  'To make bread, mix flour, water, salt and yeast, knead the dough for ten minutes, and let it rise in a warm place until it has doubled in size. Then shape it, let it rise again, and bake it in a hot oven.',
  '"Where are you going?" asked the boy. "To the mountains," said his grandfather, "where the air is thin and the nights are full of stars. You may come, if you can carry your own bag."',
  'In 1969 two astronauts walked on the Moon while a third waited in orbit. They collected rocks, took photographs, set up experiments, and returned safely to Earth four days later.',
  'A good question is often worth more than a quick answer. Why does the sky look blue? Why do leaves change colour in autumn? Each question leads to another, and that is how we learn.',
  'The committee met on Tuesday to discuss the budget. After a long debate, the members agreed to spend less on new roads and more on schools, libraries and public parks.',
  'Numbers appear everywhere: 3 apples, 12 eggs, 365 days in a year, 1,000 metres in a kilometre, and 60 seconds in every minute of every hour.',
  'He laughed, closed the book, and looked out of the window. The rain had stopped, the street was shining, and somewhere a dog was barking at the first patch of sunlight.',
].join('\n\n');
