// A customer's card in a list: refetchable on its own through Query.node(id:).
import { graphql } from "react-relay";

export const customerCardFragment = graphql`
  fragment CustomerCard_customer on Customer
  @refetchable(queryName: "CustomerCardRefetchQuery") {
    id
    uuid
    name
    email
    country
    updatedAt
    paymentMethods(first: 5) {
      id
      maskedPan
      expired
    }
  }
`;
