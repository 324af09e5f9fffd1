package io.trolserve.tiny;

import io.trolserve.text.PromptTemplate;

/**
 * The built-in English text {@link TinyTokenizerWriter} learns its BPE pieces from. It holds the
 * TroL system prompt and the chat-template words verbatim, so that test prompts tokenize into a
 * realistic mix of learned pieces and byte-fallback tokens. Changing this text changes every tiny
 * tokenizer.json written from then on.
 */
final class TinyCorpus {

    static final String TEXT = PromptTemplate.SYSTEM_PROMPT + "\n" + """
            system
            user
            assistant
            What is in this image? Describe the image in detail.
            What is the person in the picture doing? Provide the details you can see.
            How many people are in the image, and what are they wearing?
            What color is the car on the left side of the street?
            Is there a dog in this photo? Answer yes or no.
            Answer the question using a single word or phrase.
            Answer with the option's letter from the given choices directly.
            Read the text on the sign and explain what it means.
            Where was this picture taken, and what time of day is it?
            Can you tell me what the chart shows and which value is the largest?
            The image shows a small house next to a river, with trees and a blue sky.
            A man is riding a bicycle along the road while a woman walks her dog.
            There are three cats sitting on a wooden table in the kitchen.
            The sign says that the store is open from nine in the morning until six in the evening.
            The chart shows the number of visitors for each month of the year.
            The largest value is in July, and the smallest value is in February.
            The answer is that the people are having a picnic in the park on a sunny day.
            I think the model should give helpful and detailed answers to the questions of the user.
            Please look at the picture carefully and describe what you see, step by step.
            The red train is crossing the bridge over the water near the old city.
            Two children are playing with a ball on the green grass behind the school.
            The weather looks warm, and the light suggests that it is late in the afternoon.
            """;

    private TinyCorpus() {}
}
