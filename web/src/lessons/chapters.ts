// The lessons' words: for each chapter a title, a few short paragraphs and what to notice in
// its experiment (the runs themselves are in experiments.json). Our own words, retelling the
// journey of ../shared/LESSONS.md: from counting pairs of letters to a modern GPT.

export interface Chapter {
  title: string;
  /** Paragraphs; `code` spans are written in a fixed-width font. */
  text: string[];
  notice: string[];
  /** What the chart compares: loss per token, or bits per character (tokenizers of different sizes). */
  measure: 'loss' | 'bits';
  /** Draw the training loss too (where the gap between the two is the point). */
  showTrain?: boolean;
  /** A view of the lab that shows this chapter's idea at work. */
  instrument?: { view: 'tokenizer' | 'train' | 'attention'; label: string };
  /** Also chart the size of each run's 1-D tensors (norm gains and biases) over training. */
  sizes?: boolean;
  /** Instruments shown inside the chapter (element ids of views' panels, borrowed while it is open). */
  inline?: string[];
}

export const CHAPTERS: Chapter[] = [
  {
    title: 'From counting to attending',
    text: [
      'The simplest language model counts: after the letter `q`, how often comes `u`? A bigram model is exactly ' +
        'that, a table with one row per character giving the odds of the next one. It knows nothing about anything ' +
        'further back. Every model after it has to beat it.',
      'This chapter climbs the ladder from that table to a GPT, adding one part per rung: a single attention head ' +
        '(each position looks back at earlier ones and takes a weighted average of what it sees), several heads side ' +
        'by side, a feed-forward layer after them (each position thinks on its own about what it gathered), several ' +
        'such blocks stacked, then residual connections (each block adds to the stream instead of replacing it), ' +
        'layer norm, and finally dropout on a wider model.',
      'Each rung is one run. Press the button and they train one after another; the chart lays their validation ' +
        'losses side by side, and the recorded curves show where each one ends.',
    ],
    notice: [
      'The bigram flattens out early: a table of pairs cannot use any more context.',
      'Without residual connections the early rungs end above the bigram in this short run: a head replaces each ' +
        'token\'s own embedding by an average of what it looks at, so the model must learn again which token it is ' +
        'on. Four small heads do better than one big one.',
      'Still without residuals, a feed-forward layer after the heads does not help here, and three such blocks are ' +
        'worse than one: the signal and its gradient must pass through every layer in turn. (Karpathy\'s lecture, ' +
        'training far longer, sees the feed-forward help; this 600-step run does not.)',
      'Residual connections turn depth into gain, below the bigram at last; layer norm takes it much further.',
      'Dropout costs a little in a run this short: it pays off only once a model starts to memorise its text ' +
        '(chapter 5).',
    ],
    measure: 'loss',
    instrument: { view: 'attention', label: 'See the heads of a trained model' },
  },
  {
    title: 'Tokens',
    text: [
      'A model reads numbers, not text. A character tokenizer gives every character its own id. Byte-pair encoding ' +
        '(BPE) starts from the 256 byte values and repeatedly merges the most frequent neighbouring pair into a new ' +
        'token, so common pieces like `the` or `ing ` become one token. GPT-2 and GPT-4 first split the text at word ' +
        'boundaries with a regular expression, so that merges never glue the end of one word to the next.',
      'A BPE model sees more text per step, but each prediction is harder: it picks among hundreds of tokens. So ' +
        'losses per token of different tokenizers cannot be compared. Bits per character can: the loss of the whole ' +
        'text divided by its length in characters, in bits.',
      'Special tokens such as `<pad>`, `<eos>` and `<mask>` get ids of their own so that they can never be confused ' +
        'with text that happens to spell them.',
    ],
    notice: [
      'The chart is in bits per character, so the three runs are judged on the same scale.',
      'Step the merges in the tokenizer view to see which pieces BPE learns first.',
    ],
    measure: 'bits',
    instrument: { view: 'tokenizer', label: 'Open the tokenizer playground' },
    inline: ['tok-instrument'],
  },
  {
    title: 'Masked language modelling and padding',
    text: [
      'A GPT predicts the next token from the ones before it. BERT instead hides 15% of the tokens and predicts them ' +
        'from both sides: of the chosen tokens 80% become `<mask>`, 10% a random token and 10% stay, so the model ' +
        'cannot rely on seeing `<mask>`. Attention is then bidirectional.',
      'Batches of whole documents have different lengths; the short ones are filled with `<pad>`. The attention mask ' +
        'must hide padded keys (columns), not only padded queries (rows): the score of a padded key is set to −∞ ' +
        'before the softmax, so its weight is exactly 0. Otherwise real tokens attend to padding, and what the model ' +
        'says about a sentence depends on how long its batch-mates were.',
    ],
    notice: [
      'In the drawing, turn the key mask off: the padding columns light up for every real row. Each letter now spends ' +
        'part of its attention on `<pad>`, which says nothing about its paragraph.',
      'The experiment trains a masked model on whole paragraphs (up to 128 characters, the shorter ones padded), with ' +
        'and without the key mask. In the recorded runs the model without it ends higher (2.89 against 2.78) and ' +
        'guesses fewer masked letters right (24.1% against 26.9%).',
      'Read each paragraph alone, without padding, as happens when you type one sentence into the fill-in box, and ' +
        'the model trained without the mask does worse again (2.91): it had come to expect padding around it. With ' +
        'the mask there is nothing to compare: padding never touched a real token.',
      'Once a masked run has trained, the fill-in box below guesses the letters behind each `<mask>`.',
    ],
    measure: 'loss',
    instrument: { view: 'train', label: 'Train a masked model' },
    inline: ['pad-mask', 'fill-box'],
  },
  {
    title: 'Why BPE with masked LM looked poor',
    text: [
      'The project this lab grew from found that a character model trained with masked LM did well, while BPE with ' +
        'masked LM did poorly, and never found out why. Part of the answer is the measure: a masked BPE token is a ' +
        'whole word piece, far harder to guess than a letter, so its loss per token is higher even when the model is ' +
        'better. Judge it by masked-token accuracy against always guessing the commonest token, and by bits per ' +
        'character.',
    ],
    notice: [
      'In this short run the BPE models\' top guesses for a masked token are barely better than always guessing ' +
        'their commonest token, while the character model is clearly above its floor: a masked BPE token is a whole ' +
        'piece of a word, far harder to guess, and 600 steps are few for 512 tokens. This is the "poor result" the ' +
        'original project saw.',
      'Spread over the characters each token stands for (bits per character), the BPE models\' loss comes out ' +
        'lower than the character model\'s: judged on that common scale they are not clearly worse models, only ' +
        'harder guessers per token.',
      'Compare each model with its own commonest-token guess, not with the others: that is the floor it has to beat.',
      'The fourth run, masked next-token prediction (MNTP), hides the same share of characters but predicts each ' +
        'hidden one at the position before it, as a GPT does. It ends lower than the plain masked model (2.59 ' +
        'against 2.91 recorded) and guesses more hidden letters right (24.9% against 23.6%): a way to turn a GPT ' +
        'into a model that reads both ways without changing what its outputs mean.',
    ],
    measure: 'bits',
    instrument: { view: 'train', label: 'Train a masked model yourself' },
  },
  {
    title: 'Dropout and learning-rate schedules',
    text: [
      'A model with many parameters can memorise a small text: its training loss keeps falling while the validation ' +
        'loss turns up. Dropout zeroes a random part of the activations during training, so no single path can be ' +
        'relied on. A learning rate that warms up and then decays along a cosine takes big steps early and small ' +
        'steps at the end.',
    ],
    notice: [
      'On the first 5,000 characters of the novel, without dropout, the training loss (pale) races towards zero ' +
        'while the validation loss turns up after a couple of hundred steps: the model is learning the text by ' +
        'heart. With dropout 0.2 the two stay close and the validation loss keeps falling.',
      'On the whole novel, in a run this short, a constant learning rate ends a little lower than warmup + cosine: ' +
        'the cosine lowers the rate before the model has finished learning. Schedules pay off in longer runs.',
      'The Train tab\'s learning-rate chart shows the warmup and the cosine of the run in training.',
    ],
    measure: 'loss',
    showTrain: true,
    instrument: { view: 'train', label: 'Open the Train tab' },
  },
  {
    title: 'Where am I? Positions',
    text: [
      'Attention by itself does not know where a token is: it compares contents. A causal model still gets a hint, ' +
        'because each position can only see those before it. GPT-2 learns a vector per position and adds it to the ' +
        'token. RoPE (from LLaMA) instead rotates each pair of a query\'s and key\'s numbers by an angle proportional ' +
        'to the position, so that their product depends on how far apart they are.',
    ],
    notice: [
      'Without positions the model still learns, but stalls early.',
      'RoPE and learned positions both end clearly below no positions; RoPE gets there faster here.',
    ],
    measure: 'loss',
    instrument: { view: 'attention', label: 'Open the attention view' },
    inline: ['att-instrument', 'rope-instrument'],
  },
  {
    title: 'AdamW and what to decay',
    text: [
      'Weight decay pulls every weight a little towards zero at each step, which keeps the model simple. nanoGPT ' +
        'decays only the matrices (weights and embeddings), not biases and norm gains: shrinking a norm\'s gain towards ' +
        'zero would silence its layer. The Train settings choose which tensors decay.',
    ],
    notice: [
      'With a strong decay (0.5), decaying every tensor ends clearly worst: the norm gains and biases are pulled ' +
        'towards zero too, and the layers they scale go quiet.',
      'Decaying only the matrices costs little. In a run this short, on a text this large, nothing overfits, so ' +
        'decaying nothing ends best here; decay earns its place in long runs and on small texts (chapter 5). The ' +
        'Train view\'s 5-minute run reads its text several times over, and there a decay of 0.3 ends lowest (the ' +
        'default); with none, a 3-layer model trained for 10,000 steps ended 0.05 higher, in training loss too.',
      'The second chart measures the norm gains and biases together. They start at 17.9 (the gains are all ones). ' +
        'Decaying every tensor pulls them down to about 13 in 600 steps while the layers need them; in the other ' +
        'two runs, where they are left alone, they grow to about 19.',
    ],
    measure: 'loss',
    instrument: { view: 'train', label: 'Open the Train settings' },
    sizes: true,
  },
  {
    title: 'What came next',
    text: [
      'LLaMA replaced the GELU feed-forward with SwiGLU: two projections, one gating the other through a smooth ' +
        'switch. Sampling uses a KV cache: the keys and values of earlier positions are kept, so each new token costs ' +
        'one position\'s work instead of the whole prefix. Masked next-token prediction trains a masked model to guess ' +
        'each hidden token from the position before it, as a GPT does (chapter 4 runs it beside plain masked LM).',
      'The Train view goes one step past the original project: the weight matrices inside its blocks learn with Muon ' +
        '(2024) instead of AdamW. AdamW sizes the step of each number by that number\'s own history. Muon looks at a ' +
        'layer\'s whole matrix of momentum and evens out its singular values with five cheap Newton-Schulz iterations, ' +
        'so that directions the gradient seldom points in move as much as the dominant one. Embeddings, the output ' +
        'layer, biases and norms stay on AdamW. On the same model and the same number of steps it ends about 0.06 ' +
        'lower than AdamW, and it makes a wider model with larger batches worth their slower steps: the 5-minute run ' +
        'on tiny Shakespeare now ends near 1.54 nats per character, where the AdamW recipe ended at 1.62. The Train ' +
        'settings switch between the two, and the Runs view compares them.',
    ],
    notice: [
      'SwiGLU with the same width has more parameters per block; compare the curves per step and per second.',
      'Measure the sampling speed: the cache turns each new token\'s cost from the whole text before it into one ' +
        'position\'s work. It costs memory instead: two vectors per layer for every position kept.',
    ],
    measure: 'loss',
    inline: ['kv-speed'],
  },
];
