"""Tang poems: corpus cleaning, vocabulary, the character RNN, constrained generation, rhyme."""
