/**
 * What the CMS does on every save: publish the article version, validated, to the narration topic.
 * Used by `npm run narration -- publish`; a CMS in another language sends the same message.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { Article } from "../../functions/shared/narration";
import { SNS_TOPIC_ARN } from "../../components/aws";

/** The region of a topic ARN; throws naming the value. */
export function topicRegion(topicArn: string): string {
  const m = SNS_TOPIC_ARN.exec(topicArn);
  if (!m) throw new Error(`--topic must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got '${topicArn}'`);
  return m[2];
}

/**
 * Publishes one version. The message is the article JSON; the attributes let subscribers filter
 * without parsing it.
 */
export async function publishArticle(sns: SNSClient, topicArn: string, article: Article): Promise<string> {
  const out = await sns.send(new PublishCommand({
    TopicArn: topicArn,
    Message: JSON.stringify(article),
    MessageAttributes: {
      articleId: { DataType: "String", StringValue: article.id },
      version: { DataType: "Number", StringValue: String(article.version) },
    },
  }));
  return out.MessageId ?? "";
}
