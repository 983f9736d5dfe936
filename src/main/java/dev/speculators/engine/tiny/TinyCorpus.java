package dev.speculators.engine.tiny;

import dev.speculators.datagen.chat.ChatMessage;
import dev.speculators.datagen.chat.Conversation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Synthetic chat conversations with predictable answers, for the tiny example target: counting,
 * days and months, letters, capitals, small sums, colours of things, repeating words, greetings. An
 * answer follows from its question by a fixed rule, so a trained model answers with confidence and
 * a draft model can learn to guess its continuations — what makes acceptance meaningful on a model
 * this small. Everything is lower case, words and punctuation separated by spaces.
 *
 * <p>A stream is a pure function of its seed ({@link SplittableRandom}); the word list ({@link
 * #words()}) does not depend on the seed.
 */
public final class TinyCorpus {
  static final String[] DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
  };
  static final String[] MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december"
  };
  static final String[][] CAPITALS = {
    {"france", "paris"},
    {"germany", "berlin"},
    {"italy", "rome"},
    {"spain", "madrid"},
    {"japan", "tokyo"},
    {"egypt", "cairo"},
    {"peru", "lima"},
    {"kenya", "nairobi"},
    {"norway", "oslo"},
    {"poland", "warsaw"},
    {"greece", "athens"},
    {"chile", "santiago"},
    {"canada", "ottawa"},
    {"india", "delhi"},
    {"china", "beijing"},
    {"russia", "moscow"}
  };
  static final String[][] COLOURS = {
    {"sky", "blue"},
    {"grass", "green"},
    {"snow", "white"},
    {"sun", "yellow"},
    {"coal", "black"},
    {"blood", "red"},
    {"banana", "yellow"},
    {"cherry", "red"},
    {"leaf", "green"},
    {"night", "black"},
    {"milk", "white"},
    {"sea", "blue"},
    {"tomato", "red"},
    {"lemon", "yellow"},
    {"frog", "green"},
    {"cloud", "white"}
  };
  static final String[] ANIMALS = {
    "cat", "dog", "bird", "fish", "horse", "cow", "sheep", "lion", "mouse", "duck"
  };
  static final String[] SYSTEM_PROMPTS = {
    "you are a helpful assistant .", "answer briefly .", "you are a friendly tutor ."
  };
  static final String[][] SMALL_TALK = {
    {"hello", "hello ! how can i help you today ?"},
    {"hi", "hello ! how can i help you today ?"},
    {"good morning", "good morning ! how can i help you today ?"},
    {"thank you", "you are welcome ! is there anything else ?"},
    {"thanks", "you are welcome ! is there anything else ?"},
    {"bye", "goodbye ! have a nice day ."},
    {"how are you ?", "i am fine , thank you ! how can i help you ?"},
  };
  static final int MAX_NUMBER = 30;

  private final SplittableRandom rng;

  public TinyCorpus(long seed) {
    this.rng = new SplittableRandom(seed);
  }

  /** One question and its answer. */
  public record Exchange(String question, String answer) {}

  /** The next conversation: an optional system prompt and one to three exchanges. */
  public Conversation nextConversation() {
    List<ChatMessage> messages = new ArrayList<>();
    if (rng.nextInt(10) < 3) {
      messages.add(new ChatMessage(ChatMessage.SYSTEM, pick(SYSTEM_PROMPTS)));
    }
    int exchanges = 1 + rng.nextInt(3);
    for (int i = 0; i < exchanges; i++) {
      Exchange e = nextExchange();
      messages.add(new ChatMessage(ChatMessage.USER, e.question()));
      messages.add(new ChatMessage(ChatMessage.ASSISTANT, e.answer()));
    }
    return new Conversation(messages);
  }

  /** The next question and answer, from one of the task families. */
  public Exchange nextExchange() {
    switch (rng.nextInt(11)) {
      case 0:
        {
          int from = rng.nextInt(MAX_NUMBER - 4);
          int to = Math.min(MAX_NUMBER, from + 3 + rng.nextInt(7));
          return new Exchange("count from " + from + " to " + to, range(from, to, 1));
        }
      case 1:
        {
          int to = rng.nextInt(MAX_NUMBER - 4);
          int from = Math.min(MAX_NUMBER, to + 3 + rng.nextInt(7));
          return new Exchange("count down from " + from + " to " + to, range(from, to, -1));
        }
      case 2:
        {
          int d = rng.nextInt(7);
          return new Exchange(
              "what day comes after " + DAYS[d] + " ?",
              "the day after " + DAYS[d] + " is " + DAYS[(d + 1) % 7] + " .");
        }
      case 3:
        {
          int d = rng.nextInt(7);
          return new Exchange(
              "what day comes before " + DAYS[d] + " ?",
              "the day before " + DAYS[d] + " is " + DAYS[(d + 6) % 7] + " .");
        }
      case 4:
        {
          int from = rng.nextInt(12 - 2);
          int to = Math.min(11, from + 2 + rng.nextInt(5));
          return new Exchange(
              "list the months from " + MONTHS[from] + " to " + MONTHS[to],
              String.join(" ", java.util.Arrays.copyOfRange(MONTHS, from, to + 1)));
        }
      case 5:
        {
          int from = rng.nextInt(26 - 3);
          int to = Math.min(25, from + 3 + rng.nextInt(6));
          StringBuilder b = new StringBuilder();
          for (int c = from; c <= to; c++) {
            b.append(c == from ? "" : " ").append((char) ('a' + c));
          }
          return new Exchange(
              "say the letters from " + (char) ('a' + from) + " to " + (char) ('a' + to),
              b.toString());
        }
      case 6:
        {
          String[] c = CAPITALS[rng.nextInt(CAPITALS.length)];
          return new Exchange(
              "what is the capital of " + c[0] + " ?",
              "the capital of " + c[0] + " is " + c[1] + " .");
        }
      case 7:
        {
          int a = rng.nextInt(16);
          int b = rng.nextInt(15);
          return new Exchange(
              "what is " + a + " plus " + b + " ?", a + " plus " + b + " is " + (a + b) + " .");
        }
      case 8:
        {
          String[] c = COLOURS[rng.nextInt(COLOURS.length)];
          return new Exchange(
              "what colour is the " + c[0] + " ?", "the " + c[0] + " is " + c[1] + " .");
        }
      case 9:
        {
          int n = 2 + rng.nextInt(4);
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(pick(ANIMALS));
          }
          return new Exchange("repeat after me : " + b, b.toString());
        }
      default:
        {
          String[] s = SMALL_TALK[rng.nextInt(SMALL_TALK.length)];
          return new Exchange(s[0], s[1]);
        }
    }
  }

  private String pick(String[] options) {
    return options[rng.nextInt(options.length)];
  }

  private static String range(int from, int to, int step) {
    StringBuilder b = new StringBuilder();
    for (int i = from; step > 0 ? i <= to : i >= to; i += step) {
      b.append(i == from ? "" : " ").append(i);
    }
    return b.toString();
  }

  /** Every word a conversation can contain, sorted (the tokenizer's vocabulary). */
  public static List<String> words() {
    TreeSet<String> w = new TreeSet<>();
    for (int i = 0; i <= MAX_NUMBER; i++) {
      w.add(Integer.toString(i));
    }
    for (char c = 'a'; c <= 'z'; c++) {
      w.add(Character.toString(c));
    }
    java.util.Collections.addAll(w, DAYS);
    java.util.Collections.addAll(w, MONTHS);
    java.util.Collections.addAll(w, ANIMALS);
    for (String[] pair : CAPITALS) {
      java.util.Collections.addAll(w, pair);
    }
    for (String[] pair : COLOURS) {
      java.util.Collections.addAll(w, pair);
    }
    for (String s : SYSTEM_PROMPTS) {
      java.util.Collections.addAll(w, s.split(" "));
    }
    for (String[] pair : SMALL_TALK) {
      java.util.Collections.addAll(w, pair[0].split(" "));
      java.util.Collections.addAll(w, pair[1].split(" "));
    }
    for (String template :
        new String[] {
          "count from to down", "what day comes after before ?", "the day after before is .",
              "list the months from to",
          "say the letters from to", "what is the capital of ?", "the capital of is .",
              "what is plus ? is .",
          "what colour is the ? the is .", "repeat after me :"
        }) {
      java.util.Collections.addAll(w, template.split(" "));
    }
    return List.copyOf(w);
  }
}
